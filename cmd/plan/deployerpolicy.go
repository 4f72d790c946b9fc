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
	fs := newFlagSet("plan deployer-policy", deployerPolicyUsage, stderr)
	stack := fs.String("stack", "", "the stack file Pulumi.`NAME`.yaml")
	asJSON := fs.Bool("json", false, "print JSON: the policy documents with their names and sizes, and what is left out")
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml is")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *stack == "" {
		return usageError(fs, "give --stack NAME")
	}
	known, err := projectStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "plan deployer-policy: %v\n", err)
		return 1
	}
	if !slices.Contains(known, *stack) {
		fmt.Fprintf(stderr, "plan deployer-policy: no stack %q: %s has no Pulumi.%s.yaml; the stacks are: %s\n", *stack, *dir, *stack, strings.Join(known, ", "))
		return 2
	}
	res, err := deployerPolicy(*dir, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "plan deployer-policy: stack %s: %v\n", *stack, err)
		return 1
	}
	if *asJSON {
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
