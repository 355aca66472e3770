// Command single-healthy is a control: a healthy service after minutes of
// uptime. Nothing in it leaks; many goroutines simply wait, some of them
// for minutes:
//   - a fixed pool of 64 workers idle in `for range jobs` (chan receive),
//     fed 20 jobs per second;
//   - a database-like pool of 6 TCP connections to a loopback "db" server,
//     handed out last-in first-out, so the connections at the bottom of the
//     stack stay idle for minutes: one reader goroutine per client
//     connection (main.(*dbConn).readLoop) and one per server connection
//     (main.serveDBConn), all in IO wait, plus the db accept loop;
//   - an HTTP server (with net/http/pprof) and 4 client loops, each with its
//     own http.Transport, that reuse their keep-alive connection and read
//     and close every body (4 idle persistConn pairs: readLoop in IO wait,
//     writeLoop in select; 4 server conn.serve in IO wait);
//   - a metrics flusher on a time.Ticker, a signal.Notify handler, a
//     janitor in a time.Sleep loop.
//
// A GC runs every 10 s. After -wait (default 75 s) it prints "TICK 1"; the
// driver then fetches /debug/pprof/goroutine?debug=2 and ?debug=1 from
// 127.0.0.1 (one moment, two forms): goroutine-<unix ms>.txt and
// goroutine-<unix ms>.debug1.txt.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"leakscope.samples/snap"
)

var wait = flag.Duration("wait", 75*time.Second, "time until the capture")

// worker serves jobs for the life of the process.
func worker(jobs <-chan []byte, results chan<- int) {
	for j := range jobs {
		sum := 0
		for _, b := range j {
			sum += int(b)
		}
		select {
		case results <- sum:
		default:
		}
	}
}

// serveDBConn answers one query line with one result line, until the
// client hangs up.
func serveDBConn(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		q, err := r.ReadString('\n')
		if err != nil {
			return
		}
		fmt.Fprintf(c, "ROW %d\n", len(q))
	}
}

// dbAccept accepts the pool's connections.
func dbAccept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go serveDBConn(c)
	}
}

// dbConn is one pooled connection; readLoop delivers replies.
type dbConn struct {
	c       net.Conn
	replies chan string
}

func (d *dbConn) readLoop() {
	r := bufio.NewReader(d.c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			close(d.replies)
			return
		}
		d.replies <- line
	}
}

// dbPool hands out idle connections last-in first-out.
type dbPool struct {
	mu   sync.Mutex
	idle []*dbConn
}

func (p *dbPool) query(q string) string {
	p.mu.Lock()
	d := p.idle[len(p.idle)-1]
	p.idle = p.idle[:len(p.idle)-1]
	p.mu.Unlock()
	fmt.Fprintf(d.c, "%s\n", q)
	reply := <-d.replies
	p.mu.Lock()
	p.idle = append(p.idle, d)
	p.mu.Unlock()
	return reply
}

// apiClient calls the HTTP API twice a second over a keep-alive connection
// and always reads and closes the body.
func apiClient(client *http.Client, base string, n int) {
	for i := 0; ; i++ {
		resp, err := client.Get(fmt.Sprintf("%s/api/items/%d", base, (n*1000+i)%257))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// flushMetrics flushes counters on a ticker.
func flushMetrics(counter *int64, mu *sync.Mutex) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for range t.C {
		mu.Lock()
		*counter = 0
		mu.Unlock()
	}
}

// handleSignals reopens logs on SIGHUP and exits on SIGTERM.
func handleSignals(sigs <-chan os.Signal) {
	for s := range sigs {
		if s == syscall.SIGTERM {
			os.Exit(0)
		}
		log.Printf("signal %v: reopening logs", s)
	}
}

// janitor wakes up now and then.
func janitor() {
	for {
		time.Sleep(3 * time.Second)
	}
}

func main() {
	snap.Parse()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	go handleSignals(sigs)

	jobs := make(chan []byte)
	results := make(chan int, 64)
	for i := 0; i < 64; i++ {
		go worker(jobs, results)
	}

	dbln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go dbAccept(dbln)
	pool := &dbPool{}
	for i := 0; i < 6; i++ {
		c, err := net.Dial("tcp", dbln.Addr().String())
		if err != nil {
			log.Fatal(err)
		}
		d := &dbConn{c: c, replies: make(chan string, 1)}
		go d.readLoop()
		pool.idle = append(pool.idle, d)
	}

	var mu sync.Mutex
	var counter int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/api/items/", func(w http.ResponseWriter, r *http.Request) {
		row := pool.query("SELECT * FROM items WHERE id = " + r.URL.Path[len("/api/items/"):])
		mu.Lock()
		counter++
		mu.Unlock()
		fmt.Fprintf(w, `{"path":%q,"row":%q}`, r.URL.Path, row)
	})
	go http.Serve(ln, nil)
	snap.Say("LISTEN %s", ln.Addr())
	base := "http://" + ln.Addr().String()
	for i := 0; i < 4; i++ {
		// One client per calling component, each with its own Transport
		// (so its own keep-alive connection).
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
		go apiClient(client, base, i)
		time.Sleep(120 * time.Millisecond)
	}
	go flushMetrics(&counter, &mu)
	go janitor()

	start := time.Now()
	lastGC := time.Now()
	for time.Since(start) < *wait {
		for i := 0; i < 4; i++ {
			jobs <- make([]byte, 1024)
		}
		time.Sleep(200 * time.Millisecond)
		if time.Since(lastGC) >= 10*time.Second {
			lastGC = time.Now()
			runtime.GC()
		}
	}
	snap.Say("TICK 1")
	snap.Linger()
}
