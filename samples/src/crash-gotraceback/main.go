// Command crash-gotraceback: a subscription service that leaks goroutines
// in chan receive. subscribe starts awaitEvent, which waits for the first
// event on a per-subscription channel; when the subscriber disconnects
// before the first event (2 of 5), unsubscribe forgets the channel without
// closing it, so awaitEvent waits forever: +4 goroutines per tick next to a
// fixed set of healthy goroutines (4 idle dispatchers, a ticker loop).
//
// At each tick it writes goroutines.<YYYYMMDDThhmmssZ>.txt (debug=2) and
// logs a line to stderr. After the last tick it prints READY and waits: the
// driver runs it with GOTRACEBACK=crash, sends SIGQUIT and keeps stderr as
// crash.log (log lines, then the dump of every goroutine AND every thread,
// then the runtime aborts the process with SIGABRT).
package main

import (
	"fmt"
	"log"
	"os"
	"time"

	"leakscope.samples/snap"
)

type event struct {
	topic string
	data  []byte
}

// awaitEvent delivers the first event of a subscription.
func awaitEvent(id int, ch <-chan event, deliver chan<- string) {
	ev, ok := <-ch
	if !ok {
		return
	}
	deliver <- fmt.Sprintf("sub %d: %s (%d bytes)", id, ev.topic, len(ev.data))
}

var subs = map[int]chan event{}

// subscribe registers a subscription and starts its first-event waiter.
func subscribe(id int, deliver chan<- string) {
	ch := make(chan event, 0)
	subs[id] = ch
	go awaitEvent(id, ch, deliver)
}

// unsubscribe drops a subscription.
func unsubscribe(id int) {
	delete(subs, id) // BUG: the channel is not closed; awaitEvent waits forever
}

// dispatcher hands published events to subscribers.
func dispatcher(in <-chan event) {
	for ev := range in {
		for id, ch := range subs {
			_ = id
			select {
			case ch <- ev:
			default:
			}
		}
	}
}

// heartbeat logs nothing but keeps a ticker running.
func heartbeat() {
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	n := 0
	for range t.C {
		n++
	}
}

func main() {
	snap.Parse()
	log.SetOutput(os.Stderr)
	log.Printf("events starting, pid %d, GOTRACEBACK=%s", os.Getpid(), os.Getenv("GOTRACEBACK"))
	in := make(chan event)
	for i := 0; i < 4; i++ {
		go dispatcher(in)
	}
	go heartbeat()
	deliver := make(chan string, 4096)
	id := 0
	snap.Run(func(tick int) {
		for i := 0; i < 10; i++ {
			id++
			subscribe(id, deliver)
			if id%5 == 1 || id%5 == 3 {
				unsubscribe(id) // disconnected before the first event
			}
		}
		for sid, ch := range subs {
			ch <- event{topic: "orders", data: make([]byte, 128)}
			delete(subs, sid)
		}
	}, func(tick int) {
		snap.Write("goroutines."+snap.Compact(snap.Now())+".txt", "goroutine", 2)
		log.Printf("tick %d: subscriptions=%d delivered=%d", tick, id, len(deliver))
	})
	log.Printf("draining: waiting for subscribers to go away")
	snap.Say("READY")
	time.Sleep(20 * time.Second) // the driver sends SIGQUIT before this ends
	log.Printf("no SIGQUIT received, exiting")
}
