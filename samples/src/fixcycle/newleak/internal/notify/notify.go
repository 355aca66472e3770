// Package notify watches the delivery status of confirmed orders and tells
// the shipping service when it changes.
package notify

import (
	"sync/atomic"
	"time"
)

// Notifier polls the delivery status of watched orders.
type Notifier struct {
	Every time.Duration
	polls atomic.Int64
}

// New returns a notifier that polls every d.
func New(d time.Duration) *Notifier { return &Notifier{Every: d} }

// Polls is the number of status polls so far.
func (n *Notifier) Polls() int64 { return n.polls.Load() }

// Watch starts watching an order. The caller must call the returned stop
// function once the order is handed over.
func (n *Notifier) Watch(orderID int) (stop func()) {
	done := make(chan struct{})
	go n.poll(orderID, done)
	return func() { close(done) }
}

// poll asks for the status of an order at every tick until done is closed.
func (n *Notifier) poll(orderID int, done <-chan struct{}) {
	t := time.NewTicker(n.Every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			n.polls.Add(1)
		case <-done:
			return
		}
	}
}
