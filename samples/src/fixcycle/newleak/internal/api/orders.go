// Package api serves the order endpoints.
package api

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"example.com/acme/orders/internal/notify"
	"example.com/acme/orders/internal/store"
)

// Summary is the answer to GET /v1/orders/{id}.
type Summary struct {
	ID      int
	Lines   int
	Sum     uint32
	Express bool
}

// Handler serves orders from a store.
type Handler struct {
	store    *store.Store
	notifier *notify.Notifier
	ok       atomic.Int64
	rejected atomic.Int64
	failed   atomic.Int64
}

// New returns a handler reading from st that reports deliveries through n.
func New(st *store.Store, n *notify.Notifier) *Handler {
	return &Handler{store: st, notifier: n}
}

// GetOrder answers GET /v1/orders/{id}.
func (h *Handler) GetOrder(ctx context.Context, id int) (Summary, error) {
	items, err := h.store.LoadOrder(ctx, id)
	switch {
	case errors.Is(err, store.ErrTenant):
		h.rejected.Add(1)
		return Summary{}, err
	case err != nil:
		h.failed.Add(1)
		return Summary{}, err
	}
	sum := Summary{ID: id, Lines: len(items), Express: id%3 == 1}
	for _, it := range items {
		sum.Sum ^= it.Sum
	}
	h.ok.Add(1)
	stop := h.notifier.Watch(id)
	if sum.Express {
		return sum, nil // express orders go to the courier directly
	}
	h.handOver(sum)
	stop()
	return sum, nil
}

// Counts returns the number of answered, rejected and failed requests.
func (h *Handler) Counts() (ok, rejected, failed int64) {
	return h.ok.Load(), h.rejected.Load(), h.failed.Load()
}

// handOver passes a confirmed order to the shipping service.
func (h *Handler) handOver(sum Summary) {
	time.Sleep(20 * time.Millisecond)
}
