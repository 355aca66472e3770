// Command conn-read-leak: fetchBanner dials a loopback TCP server and reads
// the banner without a deadline. The server accepts and keeps the connection
// but never writes, so every fetchBanner goroutine waits forever in
// conn.Read (IO wait). goroutineleak cannot see this kind of leak.
//
// At each tick it writes goroutine-<YYYYMMDD-hhmmss>.txt (debug=2) and
// heap-<…>.txt (debug=1, after a GC).
package main

import (
	"fmt"
	"net"
	"os"
	"sync"

	"leakscope.samples/snap"
)

var (
	held   []net.Conn // the server keeps its side open
	heldMu sync.Mutex
)

// acceptLoop accepts connections and never writes to them.
func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		heldMu.Lock()
		held = append(held, c)
		heldMu.Unlock()
	}
}

// fetchBanner reads the server's greeting (no deadline).
func fetchBanner(addr string, out chan<- string) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		out <- err.Error()
		return
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	n, err := conn.Read(buf) // BUG: no SetReadDeadline, blocks forever
	if err != nil {
		out <- err.Error()
		return
	}
	out <- string(buf[:n])
}

func main() {
	snap.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go acceptLoop(ln)
	out := make(chan string, 4096)
	snap.Run(func(tick int) {
		for i := 0; i < 8; i++ {
			go fetchBanner(ln.Addr().String(), out)
		}
	}, func(tick int) {
		st := snap.Now().Format("20060102-150405")
		snap.Write("goroutine-"+st+".txt", "goroutine", 2)
		snap.GC()
		snap.Write("heap-"+st+".txt", "heap", 1)
		snap.Say("TICK %d", tick)
	})
}
