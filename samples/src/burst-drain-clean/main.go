// Command burst-drain-clean is a control: at tick 4 a burst of 250 shard
// fetchers starts; they wait for a release signal (sent at tick 6), then
// finish after a short random delay. By tick 8 all of them are gone, and so
// is their memory. A steady background of two loops stays.
//
// At each tick it writes goroutine-<unix ms>.pb.gz and heap-<unix ms>.txt
// (debug=1 with MemStats, after a GC).
package main

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"leakscope.samples/snap"
)

var (
	release = make(chan struct{})
	done    atomic.Int64
)

// fetchShard is one goroutine of the burst.
func fetchShard(shard int) {
	buf := make([]byte, 16<<10)
	buf[0] = byte(shard)
	<-release
	time.Sleep(time.Duration(rand.IntN(900)) * time.Millisecond)
	consume(buf)
	done.Add(1)
}

//go:noinline
func consume(b []byte) { _ = b[len(b)-1] }

// heartbeat and metricsLoop are the steady background.
func heartbeat(stop <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		}
	}
}

func metricsLoop(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(250 * time.Millisecond):
			_ = make([]byte, 1024)
		}
	}
}

func main() {
	snap.Parse()
	stop := make(chan struct{})
	go heartbeat(stop)
	go metricsLoop(stop)
	snap.Run(func(tick int) {
		switch tick {
		case 4:
			for s := 0; s < 250; s++ {
				go fetchShard(s)
			}
		case 6:
			close(release)
		}
	}, func(tick int) {
		ms := time.Now().UnixMilli()
		snap.Write(fmt.Sprintf("goroutine-%d.pb.gz", ms), "goroutine", 0)
		snap.GC()
		snap.Write(fmt.Sprintf("heap-%d.txt", ms), "heap", 1)
		snap.Say("TICK %d done=%d", tick, done.Load())
	})
	close(stop)
}
