// Command idle-pool-clean is a control: a fixed pool of 8 workers waits on a
// long-lived jobs channel (chan receive), a flusher waits on a ticker (select)
// and a janitor sleeps in a loop (sleep). A few jobs are served per tick.
// Nothing grows.
//
// At each tick it writes goroutine-<unix ms>.txt (debug=2) and
// heap-<unix ms>.pb.gz (after a GC).
package main

import (
	"context"
	"fmt"
	"runtime/pprof"
	"sync"
	"time"

	"leakscope.samples/snap"
)

var (
	jobs    = make(chan []byte)
	pending sync.WaitGroup
	flushed int
)

// poolWorker serves jobs for the life of the process.
func poolWorker() {
	for b := range jobs {
		sum := 0
		for _, c := range b {
			sum += int(c)
		}
		_ = sum
		pending.Done()
	}
}

// flushLoop flushes buffered metrics on a ticker.
func flushLoop(quit <-chan struct{}) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			flushed++
		case <-quit:
			return
		}
	}
}

// janitor wakes up now and then.
func janitor() {
	for {
		time.Sleep(700 * time.Millisecond)
	}
}

func main() {
	snap.Parse()
	quit := make(chan struct{})
	for i := 0; i < 8; i++ {
		go pprof.Do(context.Background(), pprof.Labels("worker", fmt.Sprintf("w%d", i)), func(context.Context) {
			poolWorker()
		})
	}
	go flushLoop(quit)
	go janitor()
	snap.Run(func(tick int) {
		for i := 0; i < 20; i++ {
			pending.Add(1)
			jobs <- make([]byte, 4096)
		}
		pending.Wait()
	}, func(tick int) {
		ms := time.Now().UnixMilli()
		snap.Write(fmt.Sprintf("goroutine-%d.txt", ms), "goroutine", 2)
		snap.GC()
		snap.Write(fmt.Sprintf("heap-%d.pb.gz", ms), "heap", 0)
		snap.Say("TICK %d", tick)
	})
	close(quit)
}
