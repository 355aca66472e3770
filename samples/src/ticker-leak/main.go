// Command ticker-leak: every watched job starts pollStatus, which creates a
// time.Ticker that is never stopped and selects on ticker.C and on done. The
// caller forgets to close done when the job fails to start, so pollStatus
// polls forever, appending a 1 KiB status record each time: goroutines and
// heap grow. runtime.MemProfileRate is 4096 here, so small sites show up.
//
// At each tick it writes <YYYYMMDDThhmmssZ>-heap.pb.gz (after a GC) and
// <YYYYMMDDThhmmssZ>-goroutine.pb.gz.
package main

import (
	"runtime"
	"time"

	"leakscope.samples/snap"
)

func init() { runtime.MemProfileRate = 4096 }

var history = make(chan int, 1<<16)

// pollStatus polls the status of a job until done is closed.
func pollStatus(job int, done <-chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond) // BUG: never stopped
	var records [][]byte
	for {
		select {
		case <-t.C:
			rec := make([]byte, 1024)
			rec[0] = byte(job)
			records = append(records, rec)
		case <-done:
			history <- len(records)
			return
		}
	}
}

// watchJob starts a job and its status poller.
func watchJob(job int) {
	done := make(chan struct{})
	go pollStatus(job, done)
	if job%5 < 3 {
		return // BUG: the job failed to start and done is never closed
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		close(done)
	}()
}

func main() {
	snap.Parse()
	job := 0
	snap.Run(func(tick int) {
		for i := 0; i < 10; i++ {
			job++
			watchJob(job)
		}
	}, func(tick int) {
		st := snap.Compact(snap.Now())
		snap.GC()
		snap.Write(st+"-heap.pb.gz", "heap", 0)
		snap.Write(st+"-goroutine.pb.gz", "goroutine", 0)
		snap.Say("TICK %d", tick)
	})
}
