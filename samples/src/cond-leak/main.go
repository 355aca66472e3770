// Command cond-leak: each upload creates a gate (a sync.Cond) and starts
// awaitReady, which waits until the gate opens. When the upload fails to start
// the gate is never opened (no Signal/Broadcast), so awaitReady waits forever
// in cond.Wait().
//
// At each tick it writes cond-leak_goroutine_<YYYYMMDDThhmmss>.txt (debug=1;
// UTC, but no zone in the name) and cond-leak_heap_<…>.pb.gz (after a GC);
// at the last tick also cond-leak_goroutineleak_<…>.pb.gz.
package main

import (
	"context"
	"errors"
	"runtime/pprof"
	"sync"

	"leakscope.samples/snap"
)

type gate struct {
	mu    sync.Mutex
	cond  *sync.Cond
	ready bool
	buf   []byte
}

func newGate() *gate {
	g := &gate{buf: make([]byte, 4096)}
	g.cond = sync.NewCond(&g.mu)
	return g
}

func (g *gate) open() {
	g.mu.Lock()
	g.ready = true
	g.mu.Unlock()
	g.cond.Broadcast()
}

// awaitReady waits until the gate opens, then uses its buffer.
func awaitReady(g *gate, done chan<- int) {
	g.mu.Lock()
	for !g.ready {
		g.cond.Wait()
	}
	g.mu.Unlock()
	done <- len(g.buf)
}

var errQuota = errors.New("quota exceeded")

func startUpload(id int) error {
	if id%2 == 0 {
		return errQuota
	}
	return nil
}

// handleUpload starts an upload and its waiter.
func handleUpload(id int, done chan<- int) {
	g := newGate()
	go awaitReady(g, done)
	if err := startUpload(id); err != nil {
		return // BUG: the gate is never opened
	}
	g.open()
}

func main() {
	snap.Parse()
	done := make(chan int, 4096)
	id := 0
	snap.Run(func(tick int) {
		pprof.Do(context.Background(), pprof.Labels("tenant", "acme corp", "route", "/upload"), func(context.Context) {
			for i := 0; i < 10; i++ {
				id++
				handleUpload(id, done)
			}
		})
	}, func(tick int) {
		st := snap.Now().Format("20060102T150405")
		snap.Write("cond-leak_goroutine_"+st+".txt", "goroutine", 1)
		snap.GC()
		snap.Write("cond-leak_heap_"+st+".pb.gz", "heap", 0)
		if tick == *snap.Ticks {
			snap.Write("cond-leak_goroutineleak_"+st+".pb.gz", "goroutineleak", 0)
		}
		snap.Say("TICK %d", tick)
	})
}
