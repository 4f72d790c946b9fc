package onboard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/stackconfig"
)

// validate writes the project as it would be after the changes into a temporary copy, and there loads
// every changed stack with the Pulumi CLI's config validation (plan.LoadStack), plans it with the program
// (the program's own validation, and a source stack's check against the archive's outputs), and checks
// .github/stacks.yaml against the stack files as the workflow matrix does. No second validator: what
// these accept, `pulumi up` and the workflows accept. It returns how many stacks it planned.
func (p *project) validate(program plan.Program, archives []string, rendered map[string]string) (int, error) {
	staging, err := os.MkdirTemp("", "log-archive-onboard-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(staging)
	if err := p.stage(staging); err != nil {
		return 0, err
	}
	var problems Problems
	refs := map[string]map[string]any{}
	for _, ref := range archives {
		dest := stackconfig.DestinationStackName(ref)
		destStack, err := plan.LoadStack(staging, dest)
		var destPlan *plan.Plan
		if err == nil {
			destPlan, err = plan.Run(destStack, program, nil)
		}
		if err != nil {
			problems.add(StackFile(dest)+" (the archive, as it would be)", indent(err), "fix the archive's stack file; if its policies are over their size limit, admit an organization instead (docs/scale.md, `plan limits`)")
			continue
		}
		refs[ref] = destPlan.Outputs
	}
	if len(problems) > 0 {
		return 0, problems
	}

	stacks := make([]string, 0, len(rendered))
	for s := range rendered {
		stacks = append(stacks, s)
	}
	sort.Strings(stacks)
	errs := make([]error, len(stacks))
	parallel(len(stacks), func(i int) { errs[i] = planSource(staging, stacks[i], program, refs) })
	for i, err := range errs {
		if err != nil {
			problems.add(rendered[stacks[i]]+" ("+StackFile(stacks[i])+")", "the stack as generated is refused, so correct the account's entry or "+FleetFile+": "+indent(err), "")
		}
	}
	if _, err := cistacks.Load(staging); err != nil {
		problems.add(cistacks.File, indent(err), "correct the entries named, or the stack files they point at")
	}
	if len(problems) > 0 {
		return 0, problems
	}
	return len(stacks) + len(archives), nil
}

func planSource(dir, name string, program plan.Program, refs map[string]map[string]any) error {
	st, err := plan.LoadStack(dir, name)
	if err != nil {
		return err
	}
	if st.Config[stackconfig.KeyStackKind] != string(stackconfig.KindSource) {
		return fmt.Errorf("not a source stack")
	}
	_, err = plan.Run(st, program, refs)
	return err
}

// stage copies the project's Pulumi.yaml, stack files and .github/stacks.yaml into dir and applies the
// changes there.
func (p *project) stage(dir string) error {
	copies := []string{"Pulumi.yaml", cistacks.File}
	for name := range p.files {
		copies = append(copies, StackFile(name))
	}
	for _, path := range copies {
		raw, err := os.ReadFile(filepath.Join(p.dir, path))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, path), raw); err != nil {
			return err
		}
	}
	return (&Result{Changes: p.sortedChanges()}).Write(dir)
}

func writeFile(path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, content, 0o644)
}

// indent puts a multi-line message under its problem's bullet.
func indent(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "\n      ")
}

// parallel runs do(0..n-1) on as many goroutines as Go may run at once: planning is CPU-bound.
func parallel(n int, do func(i int)) {
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				do(i)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}
