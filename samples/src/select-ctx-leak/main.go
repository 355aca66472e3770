// Command select-ctx-leak: handleCall starts waitForReply, which selects on
// the reply channel and on ctx.Done(). The backend drops some calls and never
// replies, and the call's context is never canceled (its cancel func is kept
// in the call but never called), so waitForReply waits forever in select.
//
// At each tick it writes goroutine_<unix>.txt (debug=2) and heap_<unix>.pb.gz
// (after a GC); at ticks 4, 7 and 10 also goroutineleak_<unix>.txt (debug=1),
// after which the (leaked) marks appear in the later debug=2 dumps.
package main

import (
	"context"
	"fmt"

	"leakscope.samples/snap"
)

type reply struct {
	id   int
	body []byte
}

type call struct {
	id      int
	ctx     context.Context
	cancel  context.CancelFunc // BUG: never called
	replies chan reply
}

// backend answers most calls; it silently drops every 3rd one.
func backend(c *call) {
	if c.id%3 == 0 {
		return
	}
	c.replies <- reply{id: c.id, body: make([]byte, 256)}
}

// waitForReply waits for the reply or for the call to be canceled.
func waitForReply(ctx context.Context, replies <-chan reply, sink chan<- int) {
	select {
	case r := <-replies:
		sink <- len(r.body)
	case <-ctx.Done():
		sink <- -1
	}
}

// handleCall starts a call and returns; the answer arrives asynchronously.
func handleCall(id int, sink chan<- int) {
	ctx, cancel := context.WithCancel(context.Background())
	c := &call{id: id, ctx: ctx, cancel: cancel, replies: make(chan reply)}
	go waitForReply(c.ctx, c.replies, sink)
	go backend(c)
}

func main() {
	snap.Parse()
	sink := make(chan int, 4096)
	id := 0
	snap.Run(func(tick int) {
		for i := 0; i < 18; i++ {
			id++
			handleCall(id, sink)
		}
	}, func(tick int) {
		unix := snap.Now().Unix()
		snap.Write(fmt.Sprintf("goroutine_%d.txt", unix), "goroutine", 2)
		snap.GC()
		snap.Write(fmt.Sprintf("heap_%d.pb.gz", unix), "heap", 0)
		if tick == 4 || tick == 7 || tick == 10 {
			snap.Write(fmt.Sprintf("goroutineleak_%d.txt", unix), "goroutineleak", 1)
		}
		snap.Say("TICK %d answered=%d", tick, len(sink))
	})
}
