// Command restart-clean is a control: a healthy service that is restarted
// once (a deploy: SIGTERM, a clean exit, a new process). Each run starts 8
// idle workers, a ticker loop and a janitor, serves 24 jobs per tick and
// fills a bounded cache (512 entries of 4 KiB) during its first ticks, then
// stays level. After the restart the goroutine ids start small again, the
// heap starts from empty and refills to the same plateau, and the MemStats
// counters start from zero. Nothing leaks.
//
// At each tick it writes goroutine-<YYYYMMDDThhmmssZ>.txt (debug=2) and
// heap-<…>.txt (debug=1 after a GC, with the MemStats block). The driver
// sends SIGTERM after tick 5 and starts it again in the same directory.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"leakscope.samples/snap"
)

// lru is a bounded cache: the oldest entry goes when it is full.
type lru struct {
	mu    sync.Mutex
	order []int
	items map[int][]byte
	max   int
}

func (c *lru) put(k int, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; !ok {
		c.order = append(c.order, k)
	}
	c.items[k] = v
	for len(c.order) > c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
}

// worker renders jobs into the cache.
func worker(c *lru, jobs <-chan int, wg *sync.WaitGroup) {
	for k := range jobs {
		v := make([]byte, 4096)
		v[0] = byte(k)
		c.put(k, v)
		wg.Done()
	}
}

// ticker flushes stats.
func statsLoop() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for range t.C {
	}
}

// janitor wakes up now and then.
func janitor() {
	for {
		time.Sleep(time.Second)
	}
}

// awaitTerm exits cleanly on SIGTERM.
func awaitTerm(sigs <-chan os.Signal) {
	<-sigs
	snap.Say("SIGTERM: shutting down")
	os.Exit(0)
}

func main() {
	runtime.MemProfileRate = 4096 // so the debug=1 heap files show the payloads
	snap.Parse()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go awaitTerm(sigs)
	snap.Say("START pid %d", os.Getpid())
	c := &lru{items: map[int][]byte{}, max: 512}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		go worker(c, jobs, &wg)
	}
	go statsLoop()
	go janitor()
	key := 0
	snap.Run(func(tick int) {
		n := 24
		if tick <= 2 {
			n = 256 // warm-up
		}
		for i := 0; i < n; i++ {
			key++
			wg.Add(1)
			jobs <- key
		}
		wg.Wait()
	}, func(tick int) {
		st := snap.Compact(snap.Now())
		snap.Write(fmt.Sprintf("goroutine-%s.txt", st), "goroutine", 2)
		snap.GC()
		snap.Write(fmt.Sprintf("heap-%s.txt", st), "heap", 1)
		snap.Say("TICK %d", tick)
	})
}
