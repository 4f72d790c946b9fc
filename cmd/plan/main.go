// Command plan prints what `pulumi up` would do for a stack, without AWS credentials or the Pulumi CLI:
// it runs the real program under Pulumi's mock monitor with the stack file's configuration.
//
//	go run ./cmd/plan --stack destination         # resources, inputs, policies and their sizes
//	go run ./cmd/plan --stack source --json       # the same as JSON, shaped like `pulumi preview --json`
//	go run ./cmd/plan --all --json                # every Pulumi.<stack>.yaml, keyed by stack name
//	go run ./cmd/plan diff --against main         # review text (Markdown) of the working tree against main
//	go run ./cmd/plan diff --base b.json --head h.json   # the same from two `--all --json` files (CI)
//	go run ./cmd/plan matrix --kind source        # GitHub Actions matrix from .github/stacks.yaml
//	go run ./cmd/plan deployer-policy --stack source   # least-privilege IAM policy for the deploying role
//	go run ./cmd/plan check-public-access --stack destination   # Access Analyzer on the planned resource policies
//
// Exit status: 0 on success (and for --help), 1 when a stack does not plan or a file cannot be read, 2 for
// a usage error.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"log-archive/internal/cliflags"
	"log-archive/internal/plan"
	"log-archive/internal/program"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `Usage:
  plan --stack NAME [--json] [--dir DIR]   what ` + "`pulumi up --stack NAME`" + ` would do, offline
  plan --all [--json] [--dir DIR]          the same for every Pulumi.<stack>.yaml
  plan diff ...                            review text (Markdown) for a pull request; see plan diff --help
  plan matrix ...                          GitHub Actions matrix from .github/stacks.yaml (--kind, --wave, --changed-since,
                                           --max-jobs); see plan matrix --help
  plan deployer-policy --stack NAME        the IAM policy a deploying role needs; see plan deployer-policy --help
  plan limits --stack NAME                 how many listed source accounts a destination stack holds
  plan check-public-access --stack NAME    IAM Access Analyzer's CheckNoPublicAccess on the planned resource policies

Flags:
`

// subcommands are plan's subcommands; `plan` without one plans stacks. Their summaries are in usageText.
var subcommands = []cliflags.Subcommand{
	{Name: "diff", Run: runDiff},
	{Name: "matrix", Run: runMatrix},
	{Name: "deployer-policy", Run: runDeployerPolicy},
	{Name: "limits", Run: runLimits},
	{Name: "check-public-access", Run: runCheckPublicAccess},
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "help" {
		args = []string{"--help"}
	}
	if code, ok := cliflags.Dispatch(subcommands, args, stdout, stderr); ok {
		return code
	}
	fs := cliflags.New("plan", usageText, stderr)
	stack := fs.String("stack", "", "plan the stack file Pulumi.`NAME`.yaml")
	all := fs.Bool("all", false, "plan every Pulumi.<stack>.yaml in the project")
	asJSON := fs.Bool("json", false, "print JSON in the shape of pulumi preview's --json output (with --all: keyed by stack)")
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml is")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if (*stack == "") == !*all {
		return cliflags.UsageError(fs, "give --stack NAME or --all")
	}
	*stack = stackName(*stack)
	known, err := projectStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	names := known
	if !*all {
		if !slices.Contains(known, *stack) {
			return cliflags.UsageError(fs, fmt.Sprintf("no stack %q: %s has no Pulumi.%s.yaml; the stacks are: %s", *stack, *dir, *stack, strings.Join(known, ", ")))
		}
		names = []string{*stack}
	}

	plans, err := planStacks(*dir, names)
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	// What the program warns about, as `pulumi up` prints it (the JSON carries it as "warnings" too).
	for _, name := range names {
		for _, w := range plans[name].Warnings {
			fmt.Fprintf(stderr, "plan: stack %s: warning: %s\n", name, w)
		}
	}
	if *asJSON {
		var v any = plans[*stack]
		if *all {
			v = plan.Stacks{Stacks: plans}
		}
		if err := writeJSON(stdout, v); err != nil {
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

// planStacks plans each named stack of the project in dir, and reports every stack that fails.
func planStacks(dir string, names []string) (map[string]*plan.Plan, error) {
	plans := map[string]*plan.Plan{}
	var failed error
	for _, name := range names {
		p, err := plan.PlanStack(dir, name, program.Program)
		if err != nil {
			failed = errors.Join(failed, fmt.Errorf("stack %s: %w", name, err))
			continue
		}
		plans[name] = p
	}
	return plans, failed
}

// projectStacks checks that dir is a Pulumi project directory and lists its stacks, so a mistyped --dir is
// reported as such rather than as a project without stacks.
func projectStacks(dir string) ([]string, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("--dir %s: no such directory", dir)
	case err != nil:
		return nil, fmt.Errorf("--dir %s: %w", dir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("--dir %s: not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err != nil {
		return nil, fmt.Errorf("--dir %s: no Pulumi.yaml there; give the project directory", dir)
	}
	names, err := plan.StackNames(dir)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--dir %s: no Pulumi.<stack>.yaml stack files", dir)
	}
	return names, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// stackName accepts a stack file's name for its stack: Pulumi.destination.yaml is the stack destination.
func stackName(s string) string {
	base := filepath.Base(s)
	if name, ok := strings.CutPrefix(base, "Pulumi."); ok {
		if name, ok := strings.CutSuffix(name, ".yaml"); ok && name != "" {
			return name
		}
	}
	return s
}
