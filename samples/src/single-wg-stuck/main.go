// Command single-wg-stuck: a lookup service warms its cache from 8 shards at
// start-up. warmCache waits for the shard loaders with a sync.WaitGroup, and
// every lookup request waits for the warm-up through the same WaitGroup. The
// loader of shard 5 gets an error and returns without calling Done, so
// warmCache and every request block in sync.(*WaitGroup).Wait forever: a
// burst of 60 requests at start-up, then one more per second.
//
// A GC runs every 10 s (so the runtime records since when each goroutine
// has been blocked). After -wait (default 75 s) it writes ONE dump:
// goroutines-<unix s>.txt (debug=2), whose oldest waiters show
// ", 1 minutes".
package main

import (
	"errors"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"time"

	"leakscope.samples/snap"
)

var wait = flag.Duration("wait", 75*time.Second, "time until the dump")

type shardCache struct {
	warm  sync.WaitGroup
	mu    sync.Mutex
	items map[string][]byte
}

var errShard = errors.New("shard 5: snapshot checksum mismatch")

// loadShard loads one shard into the cache.
func (c *shardCache) loadShard(n int) error {
	if n == 5 {
		return errShard // BUG: returns before c.warm.Done()
	}
	for i := 0; i < 64; i++ {
		c.mu.Lock()
		c.items[fmt.Sprintf("s%d/k%d", n, i)] = make([]byte, 256)
		c.mu.Unlock()
	}
	c.warm.Done()
	return nil
}

// warmCache starts one loader per shard and waits for all of them (the
// caller has done c.warm.Add(shards)).
func (c *shardCache) warmCache(shards int, ready chan<- struct{}) {
	for n := 0; n < shards; n++ {
		go func() {
			if err := c.loadShard(n); err != nil {
				fmt.Println("warm-up:", err)
			}
		}()
	}
	c.warm.Wait()
	close(ready)
}

// awaitWarm blocks until the warm-up is over.
func (c *shardCache) awaitWarm() { c.warm.Wait() }

// handleLookup is one request: it waits for the warm-up, then reads.
func handleLookup(c *shardCache, key string, done chan<- int) {
	c.awaitWarm()
	c.mu.Lock()
	v := c.items[key]
	c.mu.Unlock()
	done <- len(v)
}

// statsLoop reports progress on a ticker.
func statsLoop(done <-chan int) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for range t.C {
		_ = len(done)
	}
}

func main() {
	snap.Parse()
	c := &shardCache{items: map[string][]byte{}}
	ready := make(chan struct{})
	c.warm.Add(8)
	go c.warmCache(8, ready)
	done := make(chan int, 4096)
	go statsLoop(done)
	start := time.Now()
	id := 0
	for i := 0; i < 60; i++ {
		id++
		go handleLookup(c, fmt.Sprintf("s%d/k%d", id%8, id%64), done)
	}
	time.Sleep(500 * time.Millisecond)
	lastGC := time.Now()
	runtime.GC()
	for time.Since(start) < *wait {
		time.Sleep(time.Second)
		id++
		go handleLookup(c, fmt.Sprintf("s%d/k%d", id%8, id%64), done)
		if time.Since(lastGC) >= 10*time.Second {
			lastGC = time.Now()
			runtime.GC()
		}
	}
	time.Sleep(200 * time.Millisecond)
	snap.Write(fmt.Sprintf("goroutines-%d.txt", snap.Now().Unix()), "goroutine", 2)
	snap.Say("DONE requests=%d answered=%d", id, len(done))
}
