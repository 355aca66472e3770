// Command nil-chan-leak: the event channel of a notifier is only created when
// notifications are enabled, but publish and subscribe goroutines are started
// either way. With notifications disabled the channel is nil: a send on it
// (publish) and a receive from it (subscribe) block forever.
//
// At each tick it writes dump-NN.txt (goroutine debug=2) and heap-NN.pb.gz
// (after a GC); at the last tick also goroutineleak-NN.txt (debug=2: the full
// dump with (leaked) marks).
package main

import (
	"fmt"

	"leakscope.samples/snap"
)

type event struct {
	topic string
	data  []byte
}

type notifier struct {
	enabled bool
	events  chan event // nil unless enabled
}

func newNotifier(enabled bool) *notifier {
	n := &notifier{enabled: enabled}
	if enabled {
		n.events = make(chan event, 1)
	}
	return n
}

// publish sends one event to the notifier's channel.
func publish(ch chan<- event, e event) {
	ch <- e
}

// subscribe consumes events until the channel is closed.
func subscribe(ch <-chan event, seen chan<- int) {
	for e := range ch {
		seen <- len(e.data)
	}
}

// handleSignup notifies the listeners of a new account.
func handleSignup(id int, seen chan<- int) {
	n := newNotifier(id%4 == 0) // BUG: disabled notifiers have a nil channel
	go publish(n.events, event{topic: "signup", data: make([]byte, 128)})
	if id%2 == 1 {
		go subscribe(n.events, seen)
	}
}

func main() {
	snap.Parse()
	seen := make(chan int, 4096)
	id := 0
	snap.Run(func(tick int) {
		for i := 0; i < 6; i++ {
			id++
			handleSignup(id, seen)
		}
	}, func(tick int) {
		snap.Write(fmt.Sprintf("dump-%02d.txt", tick), "goroutine", 2)
		snap.GC()
		snap.Write(fmt.Sprintf("heap-%02d.pb.gz", tick), "heap", 0)
		if tick == *snap.Ticks {
			snap.Write(fmt.Sprintf("goroutineleak-%02d.txt", tick), "goroutineleak", 2)
		}
		snap.Say("TICK %d", tick)
	})
}
