// Command churn-clean is a control: steady allocation churn (temporary
// buffers and maps that die young), a bounded ring of recent results, and a
// fixed set of four workers. The heap saw-tooths with GC, alloc_space only
// grows (it is cumulative), nothing leaks.
//
// At each tick it writes heap_<YYYYMMDD_hhmmss>.txt (debug=1 with MemStats,
// WITHOUT a GC first, so the profile lags behind), goroutine_<…>.pb.gz and
// allocs_<…>.pb.gz.
package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"leakscope.samples/snap"
)

const ringSize = 256

var (
	ringMu sync.Mutex
	ring   [ringSize][]byte
	ringAt int
)

// remember keeps the last ringSize results (bounded).
func remember(b []byte) {
	ringMu.Lock()
	ring[ringAt%ringSize] = b
	ringAt++
	ringMu.Unlock()
}

// transform allocates temporary data that dies young.
func transform(seq int) []byte {
	scratch := make([]byte, 16<<10+seq%4096)
	for i := 0; i < len(scratch); i += 128 {
		scratch[i] = byte(seq)
	}
	m := make(map[string]int, 32)
	for i := 0; i < 32; i++ {
		m[fmt.Sprintf("k%d", i)] = i * seq
	}
	out, _ := json.Marshal(m)
	return out
}

// churnWorker loops until stop is closed.
func churnWorker(id int, stop <-chan struct{}) {
	seq := id
	for {
		select {
		case <-stop:
			return
		default:
		}
		for i := 0; i < 40; i++ {
			seq += 4
			out := transform(seq)
			if seq%16 == 0 {
				remember(out)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func main() {
	snap.Parse()
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		go churnWorker(i, stop)
	}
	snap.Run(func(tick int) {}, func(tick int) {
		st := snap.Now().Format("20060102_150405")
		snap.Write("heap_"+st+".txt", "heap", 1)
		snap.Write("goroutine_"+st+".pb.gz", "goroutine", 0)
		snap.Write("allocs_"+st+".pb.gz", "allocs", 0)
		snap.Say("TICK %d", tick)
	})
	close(stop)
}
