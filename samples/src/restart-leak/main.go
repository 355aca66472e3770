// Command restart-leak: an event publisher that leaks goroutines in chan
// send. publishEvent hands each event to the subscriber's unbuffered inbox;
// when the subscriber has timed out (3 of 8 events), nobody receives and
// publishEvent blocks forever, keeping its 32 KiB payload alive: +6
// goroutines and ~192 KiB per tick.
//
// At each tick it writes goroutine-<YYYYMMDDThhmmssZ>.txt (debug=2) and
// heap-<…>.txt (debug=1 after a GC, with the MemStats block). The driver
// kills it with SIGKILL (like the kernel's OOM killer) after tick 5 and
// starts it again in the same directory: the second run's files continue
// the same timestamped names, its goroutine ids start small again and its
// MemStats counters (NumGC, TotalAlloc, Mallocs) start from zero.
package main

import (
	"fmt"
	"os"
	"runtime"

	"leakscope.samples/snap"
)

type event struct {
	seq     int
	payload []byte
}

// publishEvent delivers one event to a subscriber inbox.
func publishEvent(seq int, inbox chan<- event) {
	ev := event{seq: seq, payload: make([]byte, 32<<10)}
	inbox <- ev // blocks forever when the subscriber has gone
}

// subscriber reads one event, unless it has timed out already.
func subscriber(inbox <-chan event, timedOut bool, got chan<- int) {
	if timedOut {
		return // BUG: the publisher is not told
	}
	ev := <-inbox
	got <- len(ev.payload)
}

func main() {
	runtime.MemProfileRate = 4096 // so the debug=1 heap files show the payloads
	snap.Parse()
	snap.Say("START pid %d", os.Getpid())
	got := make(chan int, 4096)
	seq := 0
	snap.Run(func(tick int) {
		for i := 0; i < 16; i++ {
			seq++
			inbox := make(chan event)
			go subscriber(inbox, seq%8 == 1 || seq%8 == 4 || seq%8 == 6, got)
			go publishEvent(seq, inbox)
		}
		for len(got) > 0 {
			<-got
		}
	}, func(tick int) {
		st := snap.Compact(snap.Now())
		snap.Write(fmt.Sprintf("goroutine-%s.txt", st), "goroutine", 2)
		snap.GC()
		snap.Write(fmt.Sprintf("heap-%s.txt", st), "heap", 1)
		snap.Say("TICK %d", tick)
	})
}
