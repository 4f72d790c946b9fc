// Package rollout runs `pulumi preview` or `pulumi up` over many stacks of this project through the Pulumi
// Automation API, the way CloudFormation StackSets runs an operation over stack instances: in waves (the
// archive, then a canary wave of sources, then the rest), at most Concurrency stacks at once, and stopping
// once more stacks have failed than the failure tolerance allows. Each stack runs as an inline program
// (program.Run served from this process) in the project directory, so its Pulumi.yaml and stack files
// apply exactly as `pulumi up` applies them, against whatever backend the environment logs in to.
package rollout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/cistacks"
)

// Op is the Pulumi operation a rollout runs.
type Op string

const (
	OpPreview Op = "preview"
	OpUp      Op = "up"
)

// Options say what to run where. Dir, Op, Stacks and Program are required.
type Options struct {
	// Dir is the project directory: Pulumi.yaml, the stack files and .github/stacks.yaml.
	Dir string
	Op  Op
	// Stacks are the stack names to run, each once.
	Stacks []string
	// Concurrency is how many stacks run at once (at least 1).
	Concurrency int
	// Tolerance is how many stacks may fail before the rollout stops starting new ones.
	Tolerance Tolerance
	// Waves splits the sources into the canary wave (wave: canary in .github/stacks.yaml) and the rest.
	// The archive always runs first, alone in its wave.
	Waves bool
	// ExpectNoChanges makes a preview that finds changes a failure: the drift check.
	ExpectNoChanges bool
	// Refresh reads every resource from AWS before the operation (pulumi preview --refresh): without it a
	// preview compares the code with the state the last deploy recorded, so it cannot see a change made in
	// AWS itself (a replication configuration deleted by hand). A refreshing preview still writes no state.
	Refresh bool
	// NewSince is a git revision: a stack missing from the backend is created only when its stack file
	// did not exist at NewSince (the change being deployed adds it). Empty: never.
	NewSince string
	// Program is the Pulumi program every stack runs (program.Run).
	Program pulumi.RunFunc
	// Pulumi is the CLI to run; nil finds one the way the Automation API does (PATH, ~/.pulumi).
	Pulumi auto.PulumiCommand
	// Env is added to every stack's environment (the backend, PULUMI_HOME, a passphrase).
	Env map[string]string
	// StackEnv, when set, adds a stack's own environment, such as the AWS role to assume for it.
	StackEnv func(ctx context.Context, s cistacks.Stack) (map[string]string, error)
	// Progress receives one line per stack as it starts and ends.
	Progress io.Writer
}

// Run runs the operation over the stacks, wave by wave, and returns every stack's result, those never
// started included. Cancelling ctx stops it from starting more stacks. The error is for a rollout that cannot start (bad options, unknown stacks); a stack
// that fails is a Result, and Summary.OK says whether the rollout passed.
func Run(ctx context.Context, o Options) (Summary, error) {
	waves, err := o.plan()
	if err != nil {
		return Summary{}, err
	}
	project, err := projectName(o.Dir)
	if err != nil {
		return Summary{}, err
	}
	limit := o.Tolerance.Limit(len(o.Stacks))
	sum := Summary{Op: o.Op, Tolerance: limit, Concurrency: o.Concurrency}
	start := time.Now()
	var failed int
	for _, w := range waves {
		if failed > limit || archiveFailed(sum.Results) {
			for _, s := range w.stacks {
				sum.Results = append(sum.Results, Result{Stack: s.Stack, Wave: w.name, Status: StatusNotStarted})
			}
			continue
		}
		results := o.runWave(ctx, project, w, &failed, limit)
		sum.Results = append(sum.Results, results...)
	}
	sum.Failed, sum.Elapsed = failed, time.Since(start)
	return sum, nil
}

// Check reports what Run would refuse to start: bad options, and stacks without a stack file and an
// entry in .github/stacks.yaml. It runs nothing.
func (o Options) Check() error {
	_, err := o.plan()
	return err
}

func (o Options) plan() ([]wave, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return planWaves(o.Dir, o.Stacks, o.Waves)
}

func (o *Options) check() error {
	var errs []error
	if o.Op != OpPreview && o.Op != OpUp {
		errs = append(errs, fmt.Errorf("op %q: give preview or up", o.Op))
	}
	if len(o.Stacks) == 0 {
		errs = append(errs, errors.New("no stacks: give at least one"))
	}
	seen := map[string]bool{}
	for _, s := range o.Stacks {
		if seen[s] {
			errs = append(errs, fmt.Errorf("stack %q is listed twice", s))
		}
		seen[s] = true
	}
	if o.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency %d: give 1 or more", o.Concurrency))
	}
	if o.ExpectNoChanges && o.Op != OpPreview {
		errs = append(errs, errors.New("expect-no-changes checks a preview: use it with op preview"))
	}
	if o.Program == nil {
		errs = append(errs, errors.New("no program"))
	}
	return errors.Join(errs...)
}

func archiveFailed(results []Result) bool {
	for _, r := range results {
		if r.Wave == cistacks.WaveDestination && r.Status.Failed() {
			return true
		}
	}
	return false
}

type wave struct {
	name   string
	stacks []cistacks.Stack
}

// planWaves orders the stacks: the archives, then (with split) the canary sources, then the other
// sources. Every stack must be in .github/stacks.yaml, which also checks it against its stack file.
func planWaves(dir string, names []string, split bool) ([]wave, error) {
	all, err := cistacks.Load(dir)
	if err != nil {
		return nil, err
	}
	byName := map[string]cistacks.Stack{}
	for _, s := range all {
		byName[s.Stack] = s
	}
	var unknown []string
	waves := []wave{{name: cistacks.WaveDestination}, {name: cistacks.WaveCanary}, {name: cistacks.WaveSources}}
	for _, n := range names {
		s, ok := byName[n]
		if !ok {
			unknown = append(unknown, n)
			continue
		}
		w := cistacks.WaveOf(s)
		if w == cistacks.WaveCanary && !split {
			w = cistacks.WaveSources
		}
		i := slices.IndexFunc(waves, func(x wave) bool { return x.name == w })
		waves[i].stacks = append(waves[i].stacks, s)
	}
	if len(unknown) > 0 {
		known := make([]string, 0, len(all))
		for _, s := range all {
			known = append(known, s.Stack)
		}
		return nil, fmt.Errorf("no stack file Pulumi.<stack>.yaml with an entry in %s for %s; the stacks are: %s",
			cistacks.File, strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return slices.DeleteFunc(waves, func(w wave) bool { return len(w.stacks) == 0 }), nil
}

// runWave runs one wave's stacks, at most Concurrency at once; once more stacks have failed than limit,
// it starts no more (those already running finish, as StackSets lets them).
func (o *Options) runWave(ctx context.Context, project string, w wave, failed *int, limit int) []Result {
	results := make([]Result, len(w.stacks))
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, o.Concurrency)
	for i, s := range w.stacks {
		slots <- struct{}{}
		mu.Lock()
		stop := *failed > limit
		mu.Unlock()
		if stop || ctx.Err() != nil {
			<-slots
			results[i] = Result{Stack: s.Stack, Wave: w.name, Status: StatusNotStarted}
			continue
		}
		o.progress("start  %-40s %s (wave %s)", s.Stack, o.Op, w.name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			// A cancelled ctx (Ctrl-C) starts no new stack; one already running finishes its update, since
			// killing the CLI mid-update would leave a stack locked and its state behind AWS.
			r := o.runStack(context.WithoutCancel(ctx), project, s)
			r.Wave = w.name
			mu.Lock()
			if r.Status.Failed() {
				*failed++
			}
			mu.Unlock()
			o.progress("%-6s %-40s %s in %s%s", r.Status, s.Stack, r.ChangeText(), r.Duration.Round(time.Millisecond), firstLine(r.Error))
			results[i] = r
		}()
	}
	wg.Wait()
	return results
}

var progressMu sync.Mutex

func (o *Options) progress(format string, args ...any) {
	if o.Progress == nil {
		return
	}
	progressMu.Lock()
	defer progressMu.Unlock()
	fmt.Fprintf(o.Progress, "rollout: "+format+"\n", args...)
}

func firstLine(s string) string {
	if s == "" {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return ": " + line
}
