// Package api serves the order endpoints.
package api

import (
	"context"
	"errors"
	"sync/atomic"

	"example.com/acme/orders/internal/store"
)

// Summary is the answer to GET /v1/orders/{id}.
type Summary struct {
	ID    int
	Lines int
	Sum   uint32
}

// Handler serves orders from a store.
type Handler struct {
	store    *store.Store
	ok       atomic.Int64
	rejected atomic.Int64
	failed   atomic.Int64
}

// New returns a handler reading from st.
func New(st *store.Store) *Handler { return &Handler{store: st} }

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
	sum := Summary{ID: id, Lines: len(items)}
	for _, it := range items {
		sum.Sum ^= it.Sum
	}
	h.ok.Add(1)
	return sum, nil
}

// Counts returns the number of answered, rejected and failed requests.
func (h *Handler) Counts() (ok, rejected, failed int64) {
	return h.ok.Load(), h.rejected.Load(), h.failed.Load()
}
