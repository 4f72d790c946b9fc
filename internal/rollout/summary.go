package rollout

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is how one stack's run ended.
type Status string

const (
	StatusSucceeded Status = "ok"
	StatusFailed    Status = "failed"
	// StatusChanged is a preview that found changes under ExpectNoChanges.
	StatusChanged Status = "drift"
	// StatusNew is a preview of a stack whose stack file the change adds: nothing to preview yet.
	StatusNew Status = "new"
	// StatusNotStarted is a stack the rollout stopped before.
	StatusNotStarted Status = "skipped"
)

// Failed says whether the status counts against the failure tolerance.
func (s Status) Failed() bool { return s == StatusFailed || s == StatusChanged }

// Step is one resource the operation creates, updates, replaces or deletes.
type Step struct {
	Op        string `json:"op"`
	URN       string `json:"urn"`
	Type      string `json:"type"`
	Protected bool   `json:"protected,omitempty"`
}

// Result is one stack's run.
type Result struct {
	Stack  string `json:"stack"`
	Wave   string `json:"wave"`
	Status Status `json:"status"`
	// Changes counts the resources by operation (create, update, replace, delete), "same" left out.
	Changes  map[string]int `json:"changes,omitempty"`
	Steps    []Step         `json:"steps,omitempty"`
	Diff     string         `json:"diff,omitempty"`
	Error    string         `json:"error,omitempty"`
	Duration time.Duration  `json:"durationNs"`
}

// Changed says whether the operation changes (or changed) any resource.
func (r Result) Changed() bool {
	for _, n := range r.Changes {
		if n > 0 {
			return true
		}
	}
	return false
}

// ReportedOps are the operations a summary counts, in the order it shows them.
var ReportedOps = []string{"create", "update", "replace", "delete"}

// ChangeText is "+2 ~1 ±0 -0" style: creates, updates, replaces, deletes.
func (r Result) ChangeText() string {
	if r.Status == StatusNotStarted || r.Status == StatusNew || (r.Status == StatusFailed && r.Changes == nil) {
		return "-"
	}
	c := r.Changes
	return fmt.Sprintf("+%d ~%d ±%d -%d", c["create"], c["update"], c["replace"], c["delete"])
}

// ProtectedSteps are the steps on protected resources.
func (r Result) ProtectedSteps() []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Protected {
			out = append(out, s)
		}
	}
	return out
}

// Summary is a whole rollout.
type Summary struct {
	Op          Op            `json:"op"`
	Concurrency int           `json:"concurrency"`
	Tolerance   int           `json:"tolerance"`
	Failed      int           `json:"failed"`
	Elapsed     time.Duration `json:"elapsedNs"`
	Results     []Result      `json:"results"`
}

// OK says whether the rollout passed: no more failures than the tolerance, and every stack started.
func (s Summary) OK() bool {
	return s.Failed <= s.Tolerance && !slices.ContainsFunc(s.Results, func(r Result) bool { return r.Status == StatusNotStarted })
}

// StackTime is the sum of the stacks' own durations: against Elapsed, what concurrency saved.
func (s Summary) StackTime() time.Duration {
	var d time.Duration
	for _, r := range s.Results {
		d += r.Duration
	}
	return d
}

// WriteTable writes the summary table (stack, wave, result, changes, duration), then one line of totals
// and the errors of the stacks that failed.
func (s Summary) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tWAVE\tRESULT\tCHANGES (+create ~update ±replace -delete)\tDURATION")
	counts := map[Status]int{}
	for _, r := range s.Results {
		counts[r.Status]++
		d := "-"
		if r.Status != StatusNotStarted {
			d = r.Duration.Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Stack, r.Wave, r.Status, r.ChangeText(), d)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for _, st := range []Status{StatusSucceeded, StatusFailed, StatusChanged, StatusNew, StatusNotStarted} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	verdict := "passed"
	if !s.OK() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "\n%s %s: %d stacks (%s); %d failed, tolerance %d; %s elapsed, %s of stack time at concurrency %d\n",
		s.Op, verdict, len(s.Results), strings.Join(parts, ", "), s.Failed, s.Tolerance,
		s.Elapsed.Round(time.Millisecond), s.StackTime().Round(time.Millisecond), s.Concurrency)
	for _, r := range s.Results {
		if r.Error != "" {
			fmt.Fprintf(w, "\n%s (%s): %s\n", r.Stack, r.Status, r.Error)
		}
	}
	return nil
}
