// Command cache-heap-leak: an unbounded map used as a cache. Every request
// builds a key that includes the request id, so the cache never hits and
// never evicts: each 8 KiB item stays in the map forever. The goroutine count
// stays flat (four server loops).
//
// At each tick it writes heap/heap.<unix>.pb.gz (after a GC) and
// goroutine/goroutine.<unix>.pb.gz.
package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"sync"

	"leakscope.samples/snap"
)

type itemCache struct {
	mu    sync.Mutex
	items map[string][]byte
}

var cache = &itemCache{items: make(map[string][]byte)}

// getOrLoad returns the cached item or loads and stores it (no eviction).
func (c *itemCache) getOrLoad(key string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.items[key]; ok {
		return v
	}
	v := loadItem(key)
	c.items[key] = v // BUG: unbounded, keys never repeat
	return v
}

// loadItem "renders" an 8 KiB item.
func loadItem(key string) []byte {
	b := make([]byte, 8<<10)
	copy(b, key)
	for i := len(key); i < len(b); i += 64 {
		b[i] = byte(i)
	}
	return b
}

// serveLoop is one of the four long-lived request loops.
func serveLoop(reqs <-chan int, wg *sync.WaitGroup) {
	for id := range reqs {
		key := fmt.Sprintf("user:%d/session:%d/profile", id%97, id)
		_ = cache.getOrLoad(key)
		wg.Done()
	}
}

func main() {
	snap.Parse()
	reqs := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		go pprof.Do(context.Background(), pprof.Labels("loop", fmt.Sprint(i)), func(context.Context) {
			serveLoop(reqs, &wg)
		})
	}
	id := 0
	snap.Run(func(tick int) {
		for i := 0; i < 300; i++ {
			id++
			wg.Add(1)
			reqs <- id
		}
		wg.Wait()
	}, func(tick int) {
		unix := snap.Now().Unix()
		snap.GC()
		snap.Write(fmt.Sprintf("heap/heap.%d.pb.gz", unix), "heap", 0)
		snap.Write(fmt.Sprintf("goroutine/goroutine.%d.pb.gz", unix), "goroutine", 0)
		snap.Say("TICK %d", tick)
	})
}
