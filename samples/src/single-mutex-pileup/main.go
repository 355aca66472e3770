// Command single-mutex-pileup: an access log pile-up. The service logs every
// request through one log.Logger whose output is a pipe read by a log
// shipper goroutine. The shipper loses its upstream after a second and backs
// off forever (time.Sleep loop) without reading the pipe any more. Once the
// 64 KiB pipe buffer is full, the goroutine that holds the Logger's mutex
// blocks in write (IO wait) and every request that logs queues on that
// mutex (sync.Mutex.Lock in log.(*Logger).output). Traffic: 1000 req/s for
// 1.5 s, a burst of 60, then 1 req/s; about 225 requests end up queued.
//
// A GC runs every 10 s (so the runtime records since when each goroutine has
// been blocked). After -wait (default 75 s, so the first waiters show
// ", 1 minutes" in the debug=2 headers) it writes ONE goroutine dump of the
// same moment twice: goroutine-<YYYYMMDDThhmmssZ>.txt (debug=2) and
// goroutine-<…>.debug1.txt (debug=1). It then prints READY and waits; the
// driver runs it with GOTRACEBACK=crash and sends SIGQUIT, and keeps stderr
// as single-crash-log/crash-<YYYYMMDDThhmmssZ>.log.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"leakscope.samples/snap"
)

var wait = flag.Duration("wait", 75*time.Second, "time until the dump")

var accessLog *log.Logger

// shipLogs forwards log lines to the log collector. When the collector is
// unreachable it retries forever and stops reading the pipe.
func shipLogs(r io.Reader) {
	buf := make([]byte, 4096)
	deadline := time.Now().Add(time.Second)
	for {
		for time.Now().Before(deadline) || collectorUp() {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
		// BUG: no timeout and no dropping of lines while the collector is
		// down; the pipe fills and every writer blocks.
		for !collectorUp() {
			time.Sleep(5 * time.Second)
		}
	}
}

// collectorOK is set when the log collector accepts connections. It never
// comes back in this program.
var collectorOK atomic.Bool

// collectorUp reports whether the log collector accepts connections.
func collectorUp() bool { return collectorOK.Load() }

// logAccess writes one access-log line.
func logAccess(id int, path string, status int, took time.Duration) {
	accessLog.Printf("req=%06d method=GET path=%s status=%d bytes=%d took=%s ua=%q trace=%016x",
		id, path, status, 512+id%1024, took, "svc-client/2.4 (+loopback)", uint64(id)*0x9e3779b97f4a7c15)
}

// handleRequest serves one request and logs it.
func handleRequest(id int, done chan<- int) {
	body := make([]byte, 512)
	body[0] = byte(id)
	start := time.Now()
	logAccess(id, fmt.Sprintf("/api/v1/orders/%d", id%97), 200, time.Since(start))
	done <- len(body)
}

func main() {
	snap.Parse()
	r, w, err := os.Pipe()
	if err != nil {
		log.Fatal(err)
	}
	accessLog = log.New(w, "access ", log.LstdFlags|log.LUTC|log.Lmicroseconds)
	log.SetOutput(os.Stderr)
	log.Printf("orders-api starting, pid %d", os.Getpid())
	go shipLogs(r)
	done := make(chan int, 1<<14)
	start := time.Now()
	id := 0
	// Steady traffic while the shipper still reads, then a burst.
	for time.Since(start) < 1500*time.Millisecond {
		for i := 0; i < 100; i++ {
			id++
			go handleRequest(id, done)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := 0; i < 60; i++ {
		id++
		go handleRequest(id, done)
	}
	lastGC := time.Now()
	runtime.GC()
	for time.Since(start) < *wait {
		time.Sleep(time.Second)
		id++
		go handleRequest(id, done)
		if time.Since(lastGC) >= 10*time.Second {
			lastGC = time.Now()
			runtime.GC()
		}
	}
	time.Sleep(200 * time.Millisecond)
	st := snap.Compact(snap.Now())
	snap.Write("goroutine-"+st+".txt", "goroutine", 2)
	snap.Write("goroutine-"+st+".debug1.txt", "goroutine", 1)
	log.Printf("requests started=%d finished=%d", id, len(done))
	snap.Say("READY")
	time.Sleep(30 * time.Second) // the driver sends SIGQUIT before this ends
}
