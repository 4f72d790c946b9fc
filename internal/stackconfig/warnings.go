package stackconfig

import (
	"context"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Warnings collects what the program warns about during one run, for a caller that cannot read the
// engine's log: under Pulumi's mock monitor the engine drops every log message, so the offline plan
// would never show a warning `pulumi up` prints.
type Warnings struct {
	mu   sync.Mutex
	list []string
}

type warningsKey struct{}

// WithWarnings returns a Go context whose Pulumi runs collect their warnings into the returned Warnings.
func WithWarnings(ctx context.Context) (context.Context, *Warnings) {
	w := &Warnings{}
	return context.WithValue(ctx, warningsKey{}, w), w
}

// List returns the warnings collected so far.
func (w *Warnings) List() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.list...)
}

// Warn logs msg as a warning of the run and records it for WithWarnings' caller, if any.
func Warn(ctx *pulumi.Context, msg string) {
	_ = ctx.Log.Warn(msg, nil)
	if w, ok := ctx.Context().Value(warningsKey{}).(*Warnings); ok {
		w.mu.Lock()
		w.list = append(w.list, msg)
		w.mu.Unlock()
	}
}
