// Command http-body-leak: an HTTP client that reads the status of each
// response but never closes the body. The connection can then never be
// reused or closed: for every request the client keeps a persistConn with its
// readLoop and writeLoop goroutines (both in select), and the loopback server
// keeps a conn.serve goroutine waiting for the next request (IO wait).
//
// The program serves its own API and net/http/pprof + expvar on 127.0.0.1;
// the driver fetches the dumps over HTTP at each "TICK n".
package main

import (
	"expvar"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strings"

	"leakscope.samples/snap"
)

var (
	requests = expvar.NewInt("report_requests")
	failures = expvar.NewInt("report_failures")
	payload  = strings.Repeat("0123456789abcdef", 512) // 8 KiB
)

func reportHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, payload)
}

// fetchReport checks that the report exists. It never closes resp.Body.
func fetchReport(client *http.Client, url string) bool {
	requests.Add(1)
	resp, err := client.Get(url)
	if err != nil {
		failures.Add(1)
		return false
	}
	return resp.StatusCode == http.StatusOK // BUG: resp.Body is never closed
}

func main() {
	snap.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/api/report", reportHandler)
	go http.Serve(ln, nil)
	snap.Say("LISTEN %s", ln.Addr())
	client := &http.Client{}
	url := "http://" + ln.Addr().String() + "/api/report"
	snap.Run(func(tick int) {
		for i := 0; i < 6; i++ {
			fetchReport(client, url)
		}
	}, func(tick int) {
		snap.Say("TICK %d", tick)
	})
	snap.Linger()
}
