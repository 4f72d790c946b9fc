// Command plan prints what `pulumi up` would do for a stack, without AWS credentials or the Pulumi CLI:
// it runs the real program under Pulumi's mock monitor with the stack file's configuration.
//
//	go run ./cmd/plan --stack destination         # resources, inputs, policies and their sizes
//	go run ./cmd/plan --stack source --json       # the same as JSON, shaped like `pulumi preview --json`
//	go run ./cmd/plan --all --json                # every Pulumi.<stack>.yaml, keyed by stack name
//	go run ./cmd/plan diff --base b.json --head h.json   # review text (Markdown) for a pull request
//	go run ./cmd/plan matrix --kind source        # GitHub Actions matrix from .github/stacks.yaml
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/program"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "diff":
			return runDiff(args[1:], stdout, stderr)
		case "matrix":
			return runMatrix(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "the stack to plan: Pulumi.<stack>.yaml")
	all := fs.Bool("all", false, "plan every Pulumi.<stack>.yaml in the project")
	asJSON := fs.Bool("json", false, "print JSON shaped like `pulumi preview --json`")
	dir := fs.String("dir", ".", "the project directory (where Pulumi.yaml is)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if (*stack == "") == !*all {
		fmt.Fprintln(stderr, "plan: give --stack <name> or --all")
		fs.Usage()
		return 2
	}
	names := []string{*stack}
	if *all {
		var err error
		if names, err = plan.StackNames(*dir); err != nil || len(names) == 0 {
			fmt.Fprintf(stderr, "plan: no Pulumi.<stack>.yaml in %s %v\n", *dir, err)
			return 1
		}
	}

	plans := map[string]*plan.Plan{}
	var failed error
	for _, name := range names {
		p, err := plan.PlanStack(*dir, name, program.Program)
		if err != nil {
			failed = errors.Join(failed, fmt.Errorf("stack %s: %w", name, err))
			continue
		}
		plans[name] = p
	}
	if failed != nil {
		fmt.Fprintf(stderr, "plan: %v\n", failed)
		return 1
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		var v any = plans[*stack]
		if *all {
			v = map[string]any{"stacks": plans}
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintf(stderr, "plan: %v\n", err)
			return 1
		}
		return 0
	}
	for i, name := range names {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := plans[name].WriteText(stdout, name); err != nil {
			fmt.Fprintf(stderr, "plan: %v\n", err)
			return 1
		}
	}
	return 0
}

// runDiff compares two `--all --json` plans and prints the pull-request review text.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	basePath := fs.String("base", "", "plan JSON of the base (`--all --json`); a missing file means no stacks")
	headPath := fs.String("head", "", "plan JSON of the head (`--all --json`)")
	headErrPath := fs.String("head-error", "", "a file holding why the head failed to plan, instead of --head")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *basePath == "" || (*headPath == "") == (*headErrPath == "") {
		fmt.Fprintln(stderr, "plan diff: give --base and one of --head or --head-error")
		return 2
	}
	if *headErrPath != "" {
		msg, err := os.ReadFile(*headErrPath)
		if err != nil {
			fmt.Fprintf(stderr, "plan diff: %v\n", err)
			return 1
		}
		fmt.Fprint(stdout, plan.ReviewMarkdown(nil, string(msg)))
		return 0
	}
	base, err := readStacks(*basePath, true)
	if err == nil {
		var head plan.Stacks
		if head, err = readStacks(*headPath, false); err == nil {
			fmt.Fprint(stdout, plan.ReviewMarkdown(plan.DiffStacks(base, head), ""))
			return 0
		}
	}
	fmt.Fprintf(stderr, "plan diff: %v\n", err)
	return 1
}

func readStacks(path string, missingOK bool) (plan.Stacks, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && missingOK {
		return plan.Stacks{Stacks: map[string]*plan.Plan{}}, nil
	}
	if err != nil {
		return plan.Stacks{}, err
	}
	return plan.ReadStacks(data)
}

// runMatrix prints the workflow matrix for one kind of stack, after checking .github/stacks.yaml against
// the stack files.
func runMatrix(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "destination, source, or empty for every stack")
	dir := fs.String("dir", ".", "the project directory")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	stacks, err := cistacks.Load(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	b, err := json.Marshal(cistacks.ForKind(stacks, *kind))
	if err != nil {
		fmt.Fprintf(stderr, "plan matrix: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, string(b))
	return 0
}
