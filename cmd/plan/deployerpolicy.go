package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"log-archive/internal/deployer"
	"log-archive/internal/plan"
	"log-archive/internal/program"
)

const deployerPolicyUsage = `Usage:
  plan deployer-policy --stack NAME [--json] [--dir DIR]

Prints the least-privilege IAM policy a deploying principal needs for ` + "`pulumi preview`, `pulumi up`" + `
(create, refresh, update) and ` + "`pulumi destroy`" + ` of exactly the resources the stack's plan manages: one
statement per resource type, scoped to the ARNs the plan names, without the delete actions of resources
the plan protects or retains. Text: a # header (what is covered, the deletes left out, what is out of
scope), then each policy document. --json: {"stack","account","region","partition","limit",
"policies":[{"name","size","document"}],"deletesNotGranted":[...],"notes":[...]}.

Flags:
`

// runDeployerPolicy prints the deployer policy of one stack.
func runDeployerPolicy(args []string, stdout, stderr io.Writer) int {
	f, code, done := parseStackCommand("plan deployer-policy", deployerPolicyUsage,
		"print JSON: the policy documents with their names and sizes, and what is left out", args, stdout, stderr)
	if done {
		return code
	}
	res, err := deployerPolicy(f.dir, f.stack)
	if err != nil {
		fmt.Fprintf(stderr, "plan deployer-policy: stack %s: %v\n", f.stack, err)
		return 1
	}
	if f.json {
		err = writeJSON(stdout, res)
	} else {
		err = res.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "plan deployer-policy: %v\n", err)
		return 1
	}
	return 0
}

// stackCommand is what the one-stack subcommands (deployer-policy, limits) are given.
type stackCommand struct {
	stack, dir string
	json       bool
}

// parseStackCommand parses --stack NAME [--json] [--dir DIR] and checks that the stack exists. done is
// true when the command should exit with code (help, a usage error, an unknown stack).
func parseStackCommand(name, usage, jsonHelp string, args []string, stdout, stderr io.Writer) (stackCommand, int, bool) {
	fs := newFlagSet(name, usage, stderr)
	stack := fs.String("stack", "", "the stack file Pulumi.`NAME`.yaml")
	asJSON := fs.Bool("json", false, jsonHelp)
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml is")
	if code, done := parse(fs, args, stdout); done {
		return stackCommand{}, code, true
	}
	if *stack == "" {
		return stackCommand{}, usageError(fs, "give --stack NAME"), true
	}
	*stack = stackName(*stack)
	known, err := projectStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return stackCommand{}, 1, true
	}
	if !slices.Contains(known, *stack) {
		fmt.Fprintf(stderr, "%s: no stack %q: %s has no Pulumi.%s.yaml; the stacks are: %s\n", name, *stack, *dir, *stack, strings.Join(known, ", "))
		return stackCommand{}, 2, true
	}
	return stackCommand{stack: *stack, dir: *dir, json: *asJSON}, 0, false
}

func deployerPolicy(dir, name string) (*deployer.Result, error) {
	stack, err := plan.LoadStack(dir, name)
	if err != nil {
		return nil, err
	}
	p, err := plan.PlanStack(dir, name, program.Program)
	if err != nil {
		return nil, err
	}
	return deployer.Generate(stack, p)
}
