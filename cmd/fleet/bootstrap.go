package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"log-archive/internal/bootstrap"
	"log-archive/internal/cliflags"
	"log-archive/internal/deployer"
	"log-archive/internal/onboard"
	"log-archive/internal/program"
)

func init() {
	subcommands["bootstrap-template"] = cliflags.Subcommand{Summary: "print the CloudFormation template that gives every account of some OUs its deploy and preview roles", Run: runBootstrapTemplate}
}

const bootstrapUsage = `Usage:
  fleet bootstrap-template --repo OWNER/REPO --ou OU[,OU...] --region REGION [--call-as SELF|DELEGATED_ADMIN]
                           [--archive-account ID] [--existing-oidc-provider ID[,ID...]] [--state-bucket BUCKET]
                           [--member] [--out FILE] [--dir DIR]

Prints a CloudFormation template whose one resource is a service-managed StackSet with auto-deployment on:
every account of the OUs, and every account that joins them later, gets the GitHub OIDC provider, the
preview role log-archive-github-previewer (AWS ReadOnlyAccess with object reads denied, and Access
Analyzer's CheckNoPublicAccess; trusted for this repository's pull requests and its fleet-health
environment), the deploy role log-archive-github-deployer (the deployer policy of a fleet.yaml stack;
trusted for deploy-canary and deploy-sources, or deploy-destination in --archive-account), and the
permissions boundary log-archive-role-boundary at /log-archive/, which the deploy role carries and
cannot remove or change.

Deploy it once, in the management account (--call-as SELF) or a delegated administrator account
(--call-as DELEGATED_ADMIN):
  aws cloudformation deploy --stack-name log-archive-bootstrap --template-file bootstrap.json --capabilities CAPABILITY_NAMED_IAM
StackSets never deploy to the management account: --member prints the member template, to deploy
there (or anywhere outside the OUs) directly. See docs/onboarding.md.

Flags:
`

func runBootstrapTemplate(args []string, stdout, stderr io.Writer) int {
	fs := cliflags.New("fleet bootstrap-template", bootstrapUsage, stderr)
	repo := fs.String("repo", "", "the GitHub repository `OWNER/REPO` whose workflows assume the roles")
	ous := fs.String("ou", "", "comma-separated `OU` (or root) IDs the StackSet deploys to")
	region := fs.String("region", "", "the one `REGION` the stack instances run in (IAM is global)")
	callAs := fs.String("call-as", "SELF", "`CALLER`: SELF in the management account, DELEGATED_ADMIN in a delegated administrator account")
	archive := fs.String("archive-account", "", "the archive account `ID`, when it is in the OUs: its deploy role deploys the archive")
	existing := fs.String("existing-oidc-provider", "", "comma-separated account `ID`s that already have the GitHub OIDC provider")
	stateBucket := fs.String("state-bucket", "", "the S3 `BUCKET` of a self-managed Pulumi backend; empty for Pulumi Cloud")
	member := fs.Bool("member", false, "print the member template instead, to deploy directly (the management account)")
	out := fs.String("out", "", "write the template to `FILE` instead of stdout")
	dir := fs.String("dir", ".", "the project directory `DIR`, where fleet.yaml is")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	source, archivePlan, err := onboard.PlanSample(*dir, program.Program)
	if err != nil {
		fmt.Fprintf(stderr, "fleet bootstrap-template: planning fleet.yaml's sample stack: %v\n", err)
		return 1
	}
	sourcePolicy, err := deployer.Generate(source.Stack, source.Plan)
	if err != nil {
		fmt.Fprintf(stderr, "fleet bootstrap-template: the source deployer policy: %v\n", err)
		return 1
	}
	destPolicy, err := deployer.Generate(archivePlan.Stack, archivePlan.Plan)
	if err != nil {
		fmt.Fprintf(stderr, "fleet bootstrap-template: the archive deployer policy: %v\n", err)
		return 1
	}
	args2 := bootstrap.MemberArgs{
		Repository: *repo, StateBucket: *stateBucket, SampleAccount: onboard.SampleAccount,
		// STAND-IN until deployer.RoleBoundaryPolicy lands (internal/deployer); the lead wires it at merge.
		Boundary: deployer.RoleBoundaryPolicy("${AWS::Partition}"),
	}
	for _, p := range sourcePolicy.Policies {
		args2.SourcePolicies = append(args2.SourcePolicies, p.Document)
	}
	for _, p := range destPolicy.Policies {
		args2.DestinationPolicies = append(args2.DestinationPolicies, p.Document)
	}
	var body []byte
	if *member {
		t, err := bootstrap.MemberTemplate(args2)
		if err == nil {
			body, err = t.JSON(true)
		}
		if err != nil {
			fmt.Fprintf(stderr, "fleet bootstrap-template: %v\n", err)
			return 2
		}
	} else {
		t, _, err := bootstrap.StackSetTemplate(bootstrap.StackSetArgs{Member: args2, OrganizationalUnitIDs: splitComma(*ous), Region: *region,
			CallAs: *callAs, ArchiveAccount: *archive, ExistingOIDCAccounts: splitComma(*existing)})
		if err == nil {
			body, err = t.JSON(true)
		}
		if err != nil {
			fmt.Fprintf(stderr, "fleet bootstrap-template: %v\n", err)
			return 2
		}
	}
	if strings.Contains(string(body), onboard.SampleStack) {
		fmt.Fprintf(stderr, "fleet bootstrap-template: fleet.yaml names resources after the stack ({stack}), so one deployer policy cannot serve every account: use {account} in logBucket.name\n")
		return 1
	}
	if regions := onboard.OtherRegions(*dir); len(regions) > 0 {
		fmt.Fprintf(stderr, "note: stacks %s deploy to another Region than fleet.yaml's: the deploy role's policy names fleet.yaml's Region; give them their own with go run ./cmd/plan deployer-policy\n", strings.Join(regions, ", "))
	}
	body = append(body, '\n')
	if *out == "" {
		_, err = stdout.Write(body)
	} else {
		err = os.WriteFile(*out, body, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fleet bootstrap-template: %v\n", err)
		return 1
	}
	if len(body) > bootstrap.TemplateBodyLimit {
		fmt.Fprintf(stderr, "note: the template is %d bytes, over the %d bytes aws cloudformation deploy sends inline: add --s3-bucket BUCKET to upload it\n", len(body), bootstrap.TemplateBodyLimit)
	}
	return 0
}
