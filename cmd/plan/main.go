// Command plan prints what `pulumi up` would do for a stack, without AWS credentials or the Pulumi CLI:
// it runs the real program under Pulumi's mock monitor with the stack file's configuration.
//
//	go run ./cmd/plan --stack destination         # resources, inputs, policies and their sizes
//	go run ./cmd/plan --stack source --json       # the same as JSON, shaped like `pulumi preview --json`
//	go run ./cmd/plan --all --json                # every Pulumi.<stack>.yaml, keyed by stack name
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"log-archive/internal/plan"
	"log-archive/internal/program"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
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
