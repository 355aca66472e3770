// Command single-http-client-leak: a status poller calls a loopback HTTP
// service and decodes only the status code; it never closes resp.Body. Each
// call keeps its client connection (net/http.(*persistConn).readLoop and
// writeLoop, both in select) and the server's conn.serve goroutine (IO
// wait) for good: a burst of 40 calls at start-up, then one every 2 s.
//
// A GC runs every 10 s (so the runtime records since when each goroutine
// has been blocked). After -wait (default 75 s) it writes ONE dump:
// goroutine_<YYYY-MM-DDThh-mm-ssZ>.txt (debug=2); the oldest connections
// show ", 1 minutes".
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"runtime"
	"time"

	"leakscope.samples/snap"
)

var wait = flag.Duration("wait", 75*time.Second, "time until the dump")

// serveStatus is the service being polled.
func serveStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"service":%q,"state":"ok","queue":%d}`, r.URL.Query().Get("svc"), len(r.URL.Path))
}

// pollStatus asks a service for its state.
func pollStatus(client *http.Client, base string, n int) (int, error) {
	resp, err := client.Get(fmt.Sprintf("%s/status?svc=billing-%d", base, n%7))
	if err != nil {
		return 0, err
	}
	// BUG: resp.Body is never closed (and never read).
	return resp.StatusCode, nil
}

func main() {
	snap.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/status", serveStatus)
	go http.Serve(ln, mux)
	base := "http://" + ln.Addr().String()
	client := &http.Client{} // no timeout either
	start := time.Now()
	n := 0
	poll := func() {
		n++
		if _, err := pollStatus(client, base, n); err != nil {
			log.Print(err)
		}
	}
	for i := 0; i < 40; i++ {
		poll()
	}
	lastGC := time.Now()
	runtime.GC()
	next := time.Now()
	for time.Since(start) < *wait {
		time.Sleep(time.Second)
		if time.Now().After(next) {
			poll()
			next = next.Add(2 * time.Second)
		}
		if time.Since(lastGC) >= 10*time.Second {
			lastGC = time.Now()
			runtime.GC()
		}
	}
	time.Sleep(200 * time.Millisecond)
	snap.Write("goroutine_"+snap.Stamp(snap.Now())+".txt", "goroutine", 2)
	snap.Say("DONE polls=%d", n)
}
