// Command warmup-plateau-clean is a control: during the first ticks an LRU
// cache fills up to its capacity and a worker pool grows lazily to its fixed
// size (16); after that both plateau. Idle pool workers wait in `<-jobs` on a
// long-lived channel: that is not a leak.
//
// At each tick it writes <YYYYMMDDThhmmssZ>/heap.pb.gz (after a GC) and
// <YYYYMMDDThhmmssZ>/goroutine.txt (debug=2), one directory per snapshot.
package main

import (
	"container/list"
	"context"
	"fmt"
	"runtime/pprof"
	"sync"

	"leakscope.samples/snap"
)

// lru is a bounded cache: at most cap entries of 2 KiB.
type lru struct {
	mu    sync.Mutex
	cap   int
	order *list.List
	items map[int]*list.Element
}

type entry struct {
	key int
	val []byte
}

func (c *lru) get(key int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*entry).val
	}
	v := renderEntry(key)
	c.items[key] = c.order.PushFront(&entry{key, v})
	if c.order.Len() > c.cap {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*entry).key)
	}
	return v
}

func renderEntry(key int) []byte {
	b := make([]byte, 2<<10)
	b[0] = byte(key)
	return b
}

var (
	cache   = &lru{cap: 2000, order: list.New(), items: map[int]*list.Element{}}
	jobs    = make(chan int)
	bufPool = sync.Pool{New: func() any { return make([]byte, 32<<10) }}
	started int
	wg      sync.WaitGroup
)

// poolWorker serves jobs forever (the pool is never shut down).
func poolWorker(id int) {
	ctx := pprof.WithLabels(context.Background(), pprof.Labels("pool name", "warm-up", "worker", fmt.Sprintf("w%d", id)))
	pprof.SetGoroutineLabels(ctx)
	for key := range jobs {
		buf := bufPool.Get().([]byte)
		copy(buf, cache.get(key))
		bufPool.Put(buf)
		wg.Done()
	}
}

// ensureWorkers grows the pool lazily up to 16 workers.
func ensureWorkers(n int) {
	for ; started < n && started < 16; started++ {
		go poolWorker(started)
	}
}

func main() {
	snap.Parse()
	key := 0
	snap.Run(func(tick int) {
		ensureWorkers(tick * 6)
		// New keys while the cache warms up, then mostly repeats.
		for i := 0; i < 800; i++ {
			if tick <= 3 {
				key++
			} else {
				key = (key + 7) % 2600
			}
			wg.Add(1)
			jobs <- key
		}
		wg.Wait()
	}, func(tick int) {
		dir := snap.Compact(snap.Now())
		snap.GC()
		snap.Write(dir+"/heap.pb.gz", "heap", 0)
		snap.Write(dir+"/goroutine.txt", "goroutine", 2)
		snap.Say("TICK %d", tick)
	})
}
