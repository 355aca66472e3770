// Command subslice-heap-leak: extractHeader returns a 64-byte sub-slice of a
// 1 MiB frame buffer, and the headers are kept in a global slice. Each kept
// header pins its whole 1 MiB backing array: heap-only growth, no goroutine
// leak. There is no forced GC before the dumps (the profile shows the heap as
// of the last natural GC).
//
// At each tick it writes heap.N.pb.gz (N = 1..10, not zero-padded).
package main

import (
	"fmt"

	"leakscope.samples/snap"
)

var headers [][]byte

// readFrame reads one 1 MiB frame.
func readFrame(seq int) []byte {
	buf := make([]byte, 1<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = byte(seq + i)
	}
	return buf
}

// extractHeader returns the first 64 bytes of a frame.
func extractHeader(frame []byte) []byte {
	return frame[:64] // BUG: should copy; the sub-slice pins the 1 MiB array
}

// handleFrame keeps the header of some frames and drops the rest.
func handleFrame(seq int) {
	f := readFrame(seq)
	if seq%3 == 0 {
		headers = append(headers, extractHeader(f))
	}
}

func main() {
	snap.Parse()
	seq := 0
	snap.Run(func(tick int) {
		for i := 0; i < 9; i++ {
			seq++
			handleFrame(seq)
		}
	}, func(tick int) {
		snap.Write(fmt.Sprintf("heap.%d.pb.gz", tick), "heap", 0)
		snap.Say("TICK %d kept=%d", tick, len(headers))
	})
}
