// Command mutex-leak: recordMetric returns on an error path while it still
// holds statsMu. From then on every request blocks in statsMu.Lock() inside
// recordMetric and its handler goroutine never finishes.
//
// At each tick it writes goroutine.<YYYYMMDD-hhmmss>.txt (debug=2) and
// heap.<YYYYMMDD-hhmmss>.pprof (gzipped protobuf, after a GC).
package main

import (
	"errors"
	"fmt"
	"sync"

	"leakscope.samples/snap"
)

var (
	statsMu     sync.Mutex
	stats       = map[string]int{}
	errNegative = errors.New("negative amount")
)

// recordMetric adds v to a named counter.
func recordMetric(name string, v int) error {
	statsMu.Lock()
	if v < 0 {
		return fmt.Errorf("metric %s: %w", name, errNegative) // BUG: statsMu stays locked
	}
	stats[name] += v
	statsMu.Unlock()
	return nil
}

// handleOrder is one request: it builds an order and records it.
func handleOrder(id int, done chan<- int) {
	order := make([]byte, 2048)
	order[0] = byte(id)
	amount := id % 50
	if id == 30 {
		amount = -1 // one bad order is enough
	}
	if err := recordMetric("orders_total", amount); err != nil {
		done <- -id
		return
	}
	done <- len(order)
}

func main() {
	snap.Parse()
	id := 0
	done := make(chan int, 4096)
	snap.Run(func(tick int) {
		for i := 0; i < 12; i++ {
			id++
			go handleOrder(id, done)
		}
	}, func(tick int) {
		st := snap.Now().Format("20060102-150405")
		snap.Write("goroutine."+st+".txt", "goroutine", 2)
		snap.GC()
		snap.Write("heap."+st+".pprof", "heap", 0)
		snap.Say("TICK %d finished=%d", tick, len(done))
	})
}
