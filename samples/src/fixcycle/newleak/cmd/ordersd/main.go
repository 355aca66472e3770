// Command ordersd serves order lookups. This build simulates its traffic:
// every tick (-interval) it answers -requests concurrent GET /v1/orders/{id}
// calls, then the diag collector writes the profiles into -out. It stops
// after -ticks collections.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"example.com/acme/orders/internal/api"
	"example.com/acme/orders/internal/diag"
	"example.com/acme/orders/internal/notify"
	"example.com/acme/orders/internal/store"
)

var (
	out      = flag.String("out", "profiles", "directory for the profiles")
	ticks    = flag.Int("ticks", 10, "number of collections")
	interval = flag.Duration("interval", 1100*time.Millisecond, "time between collections")
	requests = flag.Int("requests", 24, "requests per tick")
)

// serveBatch answers n concurrent requests for orders first..first+n-1, each
// in its own goroutine labelled with its route, like net/http would.
func serveBatch(h *api.Handler, first, n int) {
	var wg sync.WaitGroup
	for id := first; id < first+n; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			labels := pprof.Labels("route", "/v1/orders/{id}")
			pprof.Do(context.Background(), labels, func(ctx context.Context) {
				h.GetOrder(ctx, id)
			})
		}()
	}
	wg.Wait()
}

func main() {
	flag.Parse()
	h := api.New(store.New("acme"), notify.New(100*time.Millisecond))
	c := &diag.Collector{Dir: *out}
	start := time.Now()
	next := 1
	for tick := 1; tick <= *ticks; tick++ {
		tickStart := start.Add(time.Duration(tick-1) * *interval)
		serveBatch(h, next, *requests)
		next += *requests
		// Let the goroutines of this batch settle before collecting.
		time.Sleep(time.Until(tickStart.Add(*interval * 2 / 5)))
		if err := c.Collect(tick == *ticks); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("TICK %d\n", tick)
		time.Sleep(time.Until(tickStart.Add(*interval)))
	}
	ok, rejected, failed := h.Counts()
	fmt.Printf("DONE ok=%d rejected=%d failed=%d\n", ok, rejected, failed)
}
