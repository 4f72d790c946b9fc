package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"log-archive/internal/awsid"
	"log-archive/internal/cliflags"
	"log-archive/internal/deployer"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
)

const deployerPolicyUsage = `Usage:
  plan deployer-policy --stack NAME [--boundary] [--json] [--dir DIR]

Prints the least-privilege IAM policy a deploying principal needs for ` + "`pulumi preview`, `pulumi up`" + `
(create, refresh, update) and ` + "`pulumi destroy`" + ` of exactly the resources the stack's plan manages: one
statement per resource type, scoped to the ARNs the plan names, without the delete actions of resources
the plan protects or retains. Text: a # header (what is covered, the deletes left out, what is out of
scope), then each policy document. --json: {"stack","account","region","partition","limit",
"roleBoundaryArn","policies":[{"name","size","document"}],"deletesNotGranted":[...],"notes":[...]}.

--boundary prints instead the permissions boundary every IAM role of the program must have: the customer
managed policy log-archive-role-boundary at path /log-archive/ of the stack's account, which an
administrator (or the onboarding bootstrap) creates before the stack's first ` + "`pulumi up`" + `, and which the
deployer policy forbids the deployer to create or change. --json: {"name","path","arn","document"}.

Flags:
`

// runDeployerPolicy prints the deployer policy of one stack.
func runDeployerPolicy(args []string, stdout, stderr io.Writer) int {
	var boundary bool
	f, code, done := parseStackCommand("plan deployer-policy", deployerPolicyUsage,
		"print JSON: the policy documents with their names and sizes, and what is left out", args, stdout, stderr,
		func(fs *flag.FlagSet) {
			fs.BoolVar(&boundary, "boundary", false, "print the role permissions boundary policy instead (D8)")
		})
	if done {
		return code
	}
	if boundary {
		return runRoleBoundary(f, stdout, stderr)
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

// parseStackCommand parses --stack NAME [--json] [--dir DIR], and the flags more adds, and checks that the stack exists. done is
// true when the command should exit with code (help, a usage error, an unknown stack).
func parseStackCommand(name, usage, jsonHelp string, args []string, stdout, stderr io.Writer, more ...func(*flag.FlagSet)) (stackCommand, int, bool) {
	fs := cliflags.New(name, usage, stderr)
	for _, m := range more {
		m(fs)
	}
	stack := fs.String("stack", "", "the stack file Pulumi.`NAME`.yaml")
	asJSON := fs.Bool("json", false, jsonHelp)
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml is")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return stackCommand{}, code, true
	}
	if *stack == "" {
		return stackCommand{}, cliflags.UsageError(fs, "give --stack NAME"), true
	}
	*stack = stackName(*stack)
	known, err := projectStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return stackCommand{}, 1, true
	}
	if !slices.Contains(known, *stack) {
		return stackCommand{}, cliflags.UsageError(fs, fmt.Sprintf("no stack %q: %s has no Pulumi.%s.yaml; the stacks are: %s", *stack, *dir, *stack, strings.Join(known, ", "))), true
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

// roleBoundary is `plan deployer-policy --boundary --json`.
type roleBoundary struct {
	Name     string          `json:"name"`
	Path     string          `json:"path"`
	Arn      string          `json:"arn"`
	Document policy.Document `json:"document"`
}

// runRoleBoundary prints the role boundary policy for the stack's account.
func runRoleBoundary(f stackCommand, stdout, stderr io.Writer) int {
	stack, err := plan.LoadStack(f.dir, f.stack)
	if err == nil {
		var e deployer.Env
		if e, err = deployer.EnvOf(stack); err == nil {
			b := roleBoundary{Name: awsid.RoleBoundaryName, Path: awsid.RoleBoundaryPath,
				Arn: awsid.RoleBoundaryArnIn(e.Partition, e.Account), Document: deployer.RoleBoundaryPolicy(e.Partition)}
			if f.json {
				err = writeJSON(stdout, b)
			} else {
				err = writeRoleBoundary(stdout, b)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "plan deployer-policy --boundary: stack %s: %v\n", f.stack, err)
		return 1
	}
	return 0
}

func writeRoleBoundary(w io.Writer, b roleBoundary) error {
	doc, err := json.MarshalIndent(b.Document, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, `# Permissions boundary of every IAM role the program creates: %s
# The most the replication role and the backfill role may ever do, whatever their own policies say: S3
# replication and batch replication, and KMS through S3. Nothing in IAM, STS or Organizations.
# Create it once per account, before the first `+"`pulumi up`"+` (the program never creates or changes it):
#   aws iam create-policy --path %s --policy-name %s --policy-document file://boundary.json
%s
`, b.Arn, b.Path, b.Name, doc)
	return err
}
