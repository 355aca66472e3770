// Command steady-server-clean is a control: an HTTP server on 127.0.0.1 under
// steady load from four client loops that read and close every response body.
// Keep-alive connections are reused, so the goroutine count stays flat.
//
// It serves net/http/pprof and expvar; the driver fetches goroutine?debug=2,
// heap?gc=1 and /debug/vars at each "TICK n".
package main

import (
	"encoding/json"
	"expvar"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync/atomic"
	"time"

	"leakscope.samples/snap"
)

var (
	served  = expvar.NewInt("items_served")
	stopped atomic.Bool
)

type item struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Notes []byte `json:"notes"`
}

func itemsHandler(w http.ResponseWriter, r *http.Request) {
	items := make([]item, 8)
	for i := range items {
		items[i] = item{ID: i, Name: fmt.Sprintf("item-%d", i), Notes: make([]byte, 128)}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(items)
	served.Add(1)
}

// loadClient sends requests in a loop and closes every body.
func loadClient(client *http.Client, url string) {
	for !stopped.Load() {
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func main() {
	snap.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/api/items", itemsHandler)
	go http.Serve(ln, nil)
	snap.Say("LISTEN %s", ln.Addr())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	url := "http://" + ln.Addr().String() + "/api/items"
	for i := 0; i < 4; i++ {
		go loadClient(client, url)
	}
	snap.Run(func(tick int) {}, func(tick int) {
		snap.Say("TICK %d", tick)
	})
	snap.Linger()
	stopped.Store(true)
}
