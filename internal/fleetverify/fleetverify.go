// Package fleetverify runs verify (internal/verify) over every source stack of the fleet, with bounded
// concurrency and each account's own read-only role, and reduces the results to one grid: a row per source
// account, a column per check, each cell OK, FAILED or SKIPPED. `go run ./cmd/fleet verify` writes it as
// Markdown, JSON and a PNG picture (docs/fleet-health.md).
package fleetverify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"log-archive/internal/verify"
)

// Cell values.
const (
	OK      = "OK"
	Failed  = "FAILED"
	Skipped = "SKIPPED"
)

// The columns fleet verify adds before verify's own checks: whether the stack's outputs could be read
// (it is deployed), and whether its account's role could be assumed.
const (
	ColumnOutputs     = "stack outputs"
	ColumnCredentials = "credentials"
)

// columnOrder is every column in the order of the picture: fleet verify's two, then verify's checks as
// verify runs them. A check verify adds later lands at the end.
var columnOrder = []string{
	ColumnOutputs, ColumnCredentials,
	"replication rule", "rule destination", "rule replicates SSE-KMS", "rule replica key", "rule role",
	"canary written", "source status", "replica found", "replica status", "replica encryption", "replica key",
	"replica readable", "replica object lock",
}

// Stack is one stack of .github/stacks.yaml: its account, Region and the read-only role to assume there.
type Stack struct {
	Name    string `json:"stack"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Role    string `json:"role"`
}

// Options are everything Run needs. Outputs and Credentials are the two ways out of the process: tests
// answer them from memory and the in-process S3/STS stand-in.
type Options struct {
	Archive Stack
	Sources []Stack
	// Outputs returns a stack's outputs, as `pulumi stack output --json` prints them.
	Outputs func(ctx context.Context, stack string) (map[string]any, error)
	// Credentials returns an AWS configuration acting as role in region.
	Credentials func(ctx context.Context, role, region string) (aws.Config, error)
	S3Options   []func(*s3.Options)
	Concurrency int // stacks verified at once; at least 1
	// Canary writes a canary per bucket and waits for its replica (verify's full run); it needs a role that
	// may write to the source buckets. Without it, the run is read-only and the canary checks are SKIPPED.
	Canary        bool
	Timeout, Poll time.Duration
	Now           func() time.Time
}

// Row is one source account.
type Row struct {
	Stack   string            `json:"stack"`
	Account string            `json:"account"`
	Cells   map[string]string `json:"cells"`
	// Problems are the failed checks' causes, "check: cause", for the Markdown report.
	Problems []string       `json:"problems,omitempty"`
	Report   *verify.Report `json:"report,omitempty"`
}

// OK says whether no cell of the row failed.
func (r Row) OK() bool { return !slices.Contains(slices.Collect(maps.Values(r.Cells)), Failed) }

// Report is the fleet's result.
type Report struct {
	Generated time.Time `json:"generated"`
	Archive   Stack     `json:"archive"`
	ReadOnly  bool      `json:"readOnly"`
	Columns   []string  `json:"columns"`
	Rows      []Row     `json:"rows"`
	OK        bool      `json:"ok"`
}

// Failing is how many rows have a failed cell.
func (r *Report) Failing() int {
	n := 0
	for _, row := range r.Rows {
		if !row.OK() {
			n++
		}
	}
	return n
}

// Run verifies every source stack, at most o.Concurrency at once, and returns the grid. A stack that
// cannot be verified is a row with the reason, never an error: the error is for a run that cannot start.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Outputs == nil || o.Credentials == nil {
		return nil, errors.New("fleetverify: Outputs and Credentials are required")
	}
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	report := &Report{Generated: o.Now().UTC(), Archive: o.Archive, ReadOnly: !o.Canary, Rows: make([]Row, len(o.Sources))}

	// The archive's outputs and credentials, once: every row needs them.
	archiveOutputs, archiveErr := o.Outputs(ctx, o.Archive.Name)
	if archiveErr != nil {
		archiveErr = fmt.Errorf("the archive stack %s: %w", o.Archive.Name, archiveErr)
	}
	var archive verify.Account
	if archiveErr == nil {
		cfg, err := o.Credentials(ctx, o.Archive.Role, o.Archive.Region)
		if err != nil {
			archiveErr = fmt.Errorf("the archive account %s's role %s: %s", o.Archive.Account, o.Archive.Role, verify.Describe(err))
		}
		archive = verify.NewAccount(cfg, "role "+o.Archive.Role, o.S3Options...)
	}

	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, s := range o.Sources {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			report.Rows[i] = o.verifyStack(ctx, s, archiveOutputs, archive, archiveErr)
		}()
	}
	wg.Wait()

	seen := map[string]bool{}
	for _, row := range report.Rows {
		for c := range row.Cells {
			seen[c] = true
		}
	}
	for _, c := range columnOrder {
		if seen[c] {
			report.Columns = append(report.Columns, c)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(seen)) {
		if !slices.Contains(report.Columns, c) {
			report.Columns = append(report.Columns, c)
		}
	}
	for i := range report.Rows {
		for _, c := range report.Columns {
			if report.Rows[i].Cells[c] == "" {
				report.Rows[i].Cells[c] = Skipped
			}
		}
	}
	report.OK = report.Failing() == 0
	return report, nil
}

// verifyStack is one row: the stack's outputs, its role, then verify's checks reduced over its buckets.
func (o Options) verifyStack(ctx context.Context, s Stack, archiveOutputs map[string]any, archive verify.Account, archiveErr error) Row {
	row := Row{Stack: s.Name, Account: s.Account, Cells: map[string]string{}}
	fail := func(column string, err error) Row {
		row.Cells[column] = Failed
		row.Problems = append(row.Problems, column+": "+err.Error())
		return row
	}
	outputs, err := o.Outputs(ctx, s.Name)
	if err != nil {
		return fail(ColumnOutputs, fmt.Errorf("%w (is the stack deployed?)", err))
	}
	if archiveErr != nil {
		return fail(ColumnOutputs, archiveErr)
	}
	target, err := verify.TargetFromOutputs(outputs, archiveOutputs)
	if err != nil {
		return fail(ColumnOutputs, err)
	}
	row.Cells[ColumnOutputs] = OK
	cfg, err := o.Credentials(ctx, s.Role, s.Region)
	if err != nil {
		return fail(ColumnCredentials, fmt.Errorf("assuming %s: %s. Fix: check that the role exists in account %s and trusts the principal fleet verify runs as "+
			"(in GitHub Actions: the fleet-health environment)", s.Role, verify.Describe(err), s.Account))
	}
	rep, err := verify.Run(ctx, verify.Options{
		Target: target, Source: verify.NewAccount(cfg, "role "+s.Role, o.S3Options...), Archive: archive,
		SourceRegion: s.Region, SourceRegionFrom: ".github/stacks.yaml",
		ReadOnly: !o.Canary, Timeout: o.Timeout, Poll: o.Poll, Now: o.Now,
	})
	if err != nil {
		// verify stops the whole run only for credentials that fail or belong to another account.
		return fail(ColumnCredentials, err)
	}
	row.Cells[ColumnCredentials] = OK
	row.Report = rep
	for _, b := range rep.Buckets {
		for _, c := range b.Checks {
			row.Cells[c.Name] = worse(row.Cells[c.Name], cellOf(c.Status))
			if c.Status == verify.Fail {
				row.Problems = append(row.Problems, fmt.Sprintf("%s (s3://%s): %s", c.Name, b.Bucket, orGot(c)))
			}
		}
	}
	return row
}

func cellOf(status string) string {
	switch status {
	case verify.OK:
		return OK
	case verify.Fail:
		return Failed
	}
	return Skipped
}

// worse reduces one check over a stack's buckets: FAILED if any bucket failed, else OK if any passed.
func worse(a, b string) string {
	rank := map[string]int{"": 0, Skipped: 1, OK: 2, Failed: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func orGot(c verify.Check) string {
	msg := c.Cause
	if msg == "" {
		msg = "got " + c.Got
	}
	if len(c.Facts) > 0 {
		msg += fmt.Sprintf(" %v", c.Facts)
	}
	return msg
}
