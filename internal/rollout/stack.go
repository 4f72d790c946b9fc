package rollout

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"log-archive/internal/cistacks"
)

func projectName(dir string) (string, error) {
	p, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return "", fmt.Errorf("--dir %s: %w", dir, err)
	}
	return string(p.Name), nil
}

// runStack runs the operation on one stack. The stack must exist in the backend: a missing one is
// created only when its stack file is new since NewSince, so a wrong backend or organization stops the
// rollout instead of starting an empty stack that creates every resource again.
func (o *Options) runStack(ctx context.Context, project string, s cistacks.Stack) Result {
	start := time.Now()
	r := o.runStackOnce(ctx, project, s)
	r.Stack, r.Duration = s.Stack, time.Since(start)
	return r
}

func (o *Options) runStackOnce(ctx context.Context, project string, s cistacks.Stack) Result {
	env := maps.Clone(o.Env)
	if env == nil {
		env = map[string]string{}
	}
	if o.StackEnv != nil {
		extra, err := o.StackEnv(ctx, s)
		if err != nil {
			return failed(err)
		}
		maps.Copy(env, extra)
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(o.Dir), auto.EnvVars(env)}
	if o.Pulumi != nil {
		opts = append(opts, auto.Pulumi(o.Pulumi))
	}
	stack, err := auto.SelectStackInlineSource(ctx, s.Stack, project, o.Program, opts...)
	if auto.IsSelectStack404Error(err) {
		isNew, why := o.stackFileIsNew(s.Stack)
		if !isNew {
			return failed(fmt.Errorf("stack %s does not exist in the backend %s. Is this the right backend (PULUMI_BACKEND_URL) or Pulumi organization? "+
				"A stack is created only by a deploy of the change that adds its stack file (--new-since): %s", s.Stack, backendOf(ctx, env, opts), why))
		}
		if o.Op == OpPreview {
			return Result{Status: StatusNew, Error: "a new stack (" + why + "): the deploy creates it; the offline plan shows what it creates"}
		}
		stack, err = auto.NewStackInlineSource(ctx, s.Stack, project, o.Program, opts...)
	}
	if err != nil {
		return failed(err)
	}

	var out bytes.Buffer
	steps, collect := stepCollector()
	var r Result
	switch o.Op {
	case OpPreview:
		var res auto.PreviewResult
		popts := []optpreview.Option{optpreview.Diff(), optpreview.ProgressStreams(&out), optpreview.EventStreams(collect)}
		if o.Refresh {
			popts = append(popts, optpreview.Refresh())
		}
		res, err = stack.Preview(ctx, popts...)
		summary := map[string]int{}
		for op, n := range res.ChangeSummary {
			summary[string(op)] = n
		}
		r.Changes = changes(summary)
	case OpUp:
		var res auto.UpResult
		uopts := []optup.Option{optup.Diff(), optup.ProgressStreams(&out), optup.EventStreams(collect)}
		if o.Refresh {
			uopts = append(uopts, optup.Refresh())
		}
		res, err = stack.Up(ctx, uopts...)
		if res.Summary.ResourceChanges != nil {
			r.Changes = changes(*res.Summary.ResourceChanges)
		}
	}
	r.Steps, r.Diff = steps(), out.String()
	switch {
	case err != nil:
		r.Status, r.Error = StatusFailed, errorText(err)
	case o.ExpectNoChanges && r.Changed():
		r.Status, r.Error = StatusChanged, "the preview found changes, and none were expected: the stack drifted from its code, or a change was merged without a deploy"
	default:
		r.Status = StatusSucceeded
	}
	return r
}

func failed(err error) Result { return Result{Status: StatusFailed, Error: err.Error()} }

// errorText is the part of a CLI failure a reader needs: what the CLI wrote to stderr (the progress log
// is in Diff), without the wrapping lines every program error comes in.
func errorText(err error) string {
	msg := err.Error()
	if _, stderr, ok := strings.Cut(msg, "\nstderr: "); ok {
		msg = stderr
	}
	var lines []string
	for _, line := range strings.Split(msg, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || wrapper.MatchString(trimmed) {
			continue
		}
		lines = append(lines, strings.TrimPrefix(trimmed, "* "))
	}
	msg = strings.Join(lines, "\n")
	const max = 4000
	if len(msg) > max {
		msg = msg[:max] + "…"
	}
	return msg
}

var wrapper = regexp.MustCompile(`^(error: )?an unhandled error occurred:( \d+ errors? occurred:)?$|^\d+ errors? occurred:$`)

// stackFileIsNew says whether Pulumi.<stack>.yaml did not exist at NewSince.
func (o *Options) stackFileIsNew(stack string) (bool, string) {
	file := "Pulumi." + stack + ".yaml"
	if o.NewSince == "" {
		return false, "no --new-since revision was given"
	}
	cmd := exec.Command("git", "-C", o.Dir, "cat-file", "-e", o.NewSince+":./"+file)
	if err := cmd.Run(); err == nil {
		return false, fmt.Sprintf("%s already existed at %s, so its stack should exist", file, o.NewSince)
	}
	if err := exec.Command("git", "-C", o.Dir, "cat-file", "-e", o.NewSince+"^{commit}").Run(); err != nil {
		return false, fmt.Sprintf("--new-since %s is not a commit of this repository", o.NewSince)
	}
	return true, fmt.Sprintf("%s is new since %s", file, o.NewSince)
}

// backendOf names the backend for a message: where `pulumi whoami` says the CLI is logged in.
func backendOf(ctx context.Context, env map[string]string, opts []auto.LocalWorkspaceOption) string {
	ws, err := auto.NewLocalWorkspace(ctx, opts...)
	if err == nil {
		if who, err := ws.WhoAmIDetails(ctx); err == nil && who.URL != "" {
			return who.URL
		}
	}
	if url := env["PULUMI_BACKEND_URL"]; url != "" {
		return url
	}
	return "(the one the CLI is logged in to)"
}

func changes(summary map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range summary {
		if op != string(apitype.OpSame) && n > 0 {
			out[op] = n
		}
	}
	return out
}

// stepCollector receives the engine's events and keeps the resource steps that change something.
func stepCollector() (func() []Step, chan events.EngineEvent) {
	ch := make(chan events.EngineEvent)
	var steps []Step
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			if e.ResourcePreEvent == nil {
				continue
			}
			m := e.ResourcePreEvent.Metadata
			switch m.Op {
			case apitype.OpCreate, apitype.OpUpdate, apitype.OpReplace, apitype.OpDelete:
			default:
				continue
			}
			protected := (m.Old != nil && m.Old.Protect) || (m.New != nil && m.New.Protect)
			steps = append(steps, Step{Op: string(m.Op), URN: m.URN, Type: m.Type, Protected: protected})
		}
	}()
	// The Automation API closes the channel once the event log is read; an operation that failed before it
	// started the log never closes it, so the wait is bounded.
	return func() []Step {
		select {
		case <-done:
			return steps
		case <-time.After(10 * time.Second):
			return nil
		}
	}, ch
}
