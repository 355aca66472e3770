// Command replicas-rwmutex: one binary, run as two replicas at the same
// time (pod-a and pod-b). Queries read the routing table under an RWMutex
// (RLock); a reloader refreshes the table under Lock every tick. When the
// reload fails, reloadRoutes returns with the write lock still held. On the
// replica started with -fail-reload-at N (pod-b) that happens at tick N: from
// then on the reloader blocks on its own Lock and every query blocks in
// RLock (+6 goroutines per tick). The other replica stays flat. The replicas
// run different numbers of idle workers (-workers), so their baselines
// differ.
//
// At each tick it writes heap-<YYYY-MM-DDThh-mm-ssZ>.pb.gz (after a GC) and
// goroutine-<…>.txt (debug=2) into -out.
package main

import (
	"errors"
	"flag"
	"fmt"
	"sync"

	"leakscope.samples/snap"
)

var (
	workers  = flag.Int("workers", 12, "idle background workers")
	failAt   = flag.Int("fail-reload-at", 0, "tick at which the route reload fails (0: never)")
	routesMu sync.RWMutex
	routes   = map[string]string{}
	errFetch = errors.New("routes: config server returned 503")
)

// fetchRoutes loads the routing table from the config server.
func fetchRoutes(tick int) (map[string]string, error) {
	if *failAt > 0 && tick == *failAt {
		return nil, errFetch
	}
	m := make(map[string]string, 64)
	for i := 0; i < 64; i++ {
		m[fmt.Sprintf("/svc/%d", i)] = fmt.Sprintf("10.0.%d.%d:8080", tick%4, i)
	}
	return m, nil
}

// reloadRoutes replaces the routing table.
func reloadRoutes(tick int) error {
	routesMu.Lock()
	m, err := fetchRoutes(tick)
	if err != nil {
		return err // BUG: routesMu stays write-locked
	}
	routes = m
	routesMu.Unlock()
	return nil
}

// reloader reloads the routes once per tick.
func reloader(ticks <-chan int) {
	for t := range ticks {
		if err := reloadRoutes(t); err != nil {
			fmt.Println("reload:", err)
		}
	}
}

// lookupRoute reads the routing table.
func lookupRoute(path string) string {
	routesMu.RLock()
	defer routesMu.RUnlock()
	return routes[path]
}

// handleQuery is one request.
func handleQuery(id int, done chan<- string) {
	buf := make([]byte, 1024)
	buf[0] = byte(id)
	done <- lookupRoute(fmt.Sprintf("/svc/%d", id%64))
}

// backgroundWorker waits for background jobs, which are rare.
func backgroundWorker(jobs <-chan func()) {
	for j := range jobs {
		j()
	}
}

func main() {
	snap.Parse()
	jobs := make(chan func())
	for i := 0; i < *workers; i++ {
		go backgroundWorker(jobs)
	}
	reloads := make(chan int, 1)
	go reloader(reloads)
	done := make(chan string, 4096)
	id := 0
	snap.Run(func(tick int) {
		select {
		case reloads <- tick:
		default: // a reload is still pending
		}
		for i := 0; i < 6; i++ {
			id++
			go handleQuery(id, done)
		}
	}, func(tick int) {
		st := snap.Stamp(snap.Now())
		snap.GC()
		snap.Write("heap-"+st+".pb.gz", "heap", 0)
		snap.Write("goroutine-"+st+".txt", "goroutine", 2)
		snap.Say("TICK %d answered=%d", tick, len(done))
	})
}
