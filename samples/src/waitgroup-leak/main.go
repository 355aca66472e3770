// Command waitgroup-leak: gatherResults adds one WaitGroup count per part, but
// a part that fails returns without calling Done, so gatherResults waits
// forever in wg.Wait() and its report goroutine never ends.
//
// At each tick it writes goroutine-NN.pb.gz and heap-NN.pb.gz (after a GC);
// at ticks 8, 9 and 10 also goroutineleak-NN.txt (debug=1).
package main

import (
	"errors"
	"fmt"
	"sync"

	"leakscope.samples/snap"
)

var errPart = errors.New("part failed")

// computePart fails for part 3 of every 5th report (mod 5 == 2).
func computePart(report, part int) (int, error) {
	if part == 3 && report%5 == 2 {
		return 0, errPart
	}
	return report*10 + part, nil
}

// gatherResults runs the parts in parallel and waits for all of them.
func gatherResults(report, parts int) []int {
	var wg sync.WaitGroup
	res := make([]int, parts)
	wg.Add(parts)
	for p := 0; p < parts; p++ {
		go func() {
			v, err := computePart(report, p)
			if err != nil {
				return // BUG: missing wg.Done()
			}
			res[p] = v
			wg.Done()
		}()
	}
	wg.Wait()
	return res
}

// handleReport is one request.
func handleReport(report int, out chan<- int) {
	res := gatherResults(report, 6)
	out <- len(res)
}

func main() {
	snap.Parse()
	out := make(chan int, 4096)
	report := 0
	snap.Run(func(tick int) {
		for i := 0; i < 30; i++ {
			report++
			go handleReport(report, out)
		}
	}, func(tick int) {
		snap.Write(fmt.Sprintf("goroutine-%02d.pb.gz", tick), "goroutine", 0)
		snap.GC()
		snap.Write(fmt.Sprintf("heap-%02d.pb.gz", tick), "heap", 0)
		if tick >= 8 {
			snap.Write(fmt.Sprintf("goroutineleak-%02d.txt", tick), "goroutineleak", 1)
		}
		snap.Say("TICK %d reports=%d", tick, len(out))
	})
}
