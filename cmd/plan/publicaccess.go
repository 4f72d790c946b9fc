package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/smithy-go"

	"log-archive/components"
	"log-archive/internal/catalog"
	"log-archive/internal/cliflags"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/stackconfig"
)

const checkPublicAccessUsage = `Usage:
  plan check-public-access --stack NAME [--dir DIR]
  plan check-public-access --stack NAME --print DIR

Plans the stack offline (the program ` + "`pulumi up`" + ` runs, with the stack file's configuration) and asks IAM
Access Analyzer whether a resource policy it would send could grant public access: CheckNoPublicAccess on
each document exactly as it would be sent, with resource type AWS::S3::Bucket for bucket policies,
AWS::KMS::Key for key policies and AWS::SNS::Topic for topic policies (R2.13, docs/public-access.md).

A destination stack sends two: the archive bucket policy and key policy, which grant to the source
accounts. A source stack grants no other account anything; its log buckets' bucket and key policies and its
alarm topics' policies grant to AWS service principals pinned by aws:SourceAccount and aws:SourceArn, and are
checked the same way.

AWS: the SDK's default credential chain (AWS_PROFILE, environment, SSO, web identity, instance role), in
the stack's Region (aws:region). The caller needs access-analyzer:CheckNoPublicAccess, nothing else; the
call changes nothing. --print DIR writes the documents to DIR and prints the aws CLI command for each,
without calling AWS.

Exit status: 0 when no policy grants public access (and after --print), 1 when one does or a call fails,
2 for a usage error.

Flags:
`

// accessCheckTypes maps the policy-bearing resource types whose documents are resource policies to
// Access Analyzer's resource type (API_CheckNoPublicAccess.html). Trust and identity policies are not
// resource policies of a resource that could be public, and are left out.
var accessCheckTypes = map[string]aatypes.AccessCheckResourceType{
	string(catalog.S3BucketPolicy): aatypes.AccessCheckResourceTypeS3Bucket,
	string(catalog.KMSKey):         aatypes.AccessCheckResourceTypeKmsKey,
	string(catalog.SNSTopicPolicy): aatypes.AccessCheckResourceTypeSnsTopic,
}

// awsConfigLoader loads the AWS configuration for a Region; tests point it at a stand-in.
type awsConfigLoader func(ctx context.Context, region string) (aws.Config, error)

func defaultAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx, config.WithRegion(region))
}

func runCheckPublicAccess(args []string, stdout, stderr io.Writer) int {
	return checkPublicAccess(context.Background(), args, stdout, stderr, defaultAWSConfig)
}

// checkedPolicy is one resource policy of the plan and what Access Analyzer said of it.
type checkedPolicy struct {
	plan.Policy
	ResourceType aatypes.AccessCheckResourceType
	Result       aatypes.CheckNoPublicAccessResult
	Message      string
	Reasons      []aatypes.ReasonSummary
	Err          error
}

func checkPublicAccess(ctx context.Context, args []string, stdout, stderr io.Writer, loadConfig awsConfigLoader) int {
	const name = "plan check-public-access"
	fs := cliflags.New(name, checkPublicAccessUsage, stderr)
	stackFlag := fs.String("stack", "", "the stack file Pulumi.`NAME`.yaml")
	dir := fs.String("dir", ".", "the project directory `DIR`, where Pulumi.yaml is")
	printDir := fs.String("print", "", "write each policy document to `DIR` and print the aws CLI commands instead of calling AWS")
	if code, done := cliflags.Parse(fs, args, stdout); done {
		return code
	}
	if *stackFlag == "" {
		return cliflags.UsageError(fs, "give --stack NAME")
	}
	stack := stackName(*stackFlag)
	known, err := projectStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	if !slices.Contains(known, stack) {
		return cliflags.UsageError(fs, fmt.Sprintf("no stack %q: %s has no Pulumi.%s.yaml; the stacks are: %s", stack, *dir, stack, strings.Join(known, ", ")))
	}

	cfg, err := plan.LoadStack(*dir, stack)
	if err != nil {
		fmt.Fprintf(stderr, "%s: stack %s: %v\n", name, stack, err)
		return 1
	}
	p, err := plan.PlanStack(*dir, stack, program.Program)
	if err != nil {
		fmt.Fprintf(stderr, "%s: stack %s does not plan, so there is nothing to check: %v\n", name, stack, err)
		return 1
	}
	region := cfg.Config[stackconfig.KeyRegion]
	policies := resourcePolicies(p)
	if len(policies) == 0 {
		fmt.Fprintf(stdout, "Stack %s sends no resource policy; nothing to check.\n", stack)
		return 0
	}
	if *printDir != "" {
		if err := printPolicies(stdout, *printDir, region, policies); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return 1
		}
		return 0
	}

	awsCfg, err := loadConfig(ctx, region)
	if err == nil && awsCfg.Credentials == nil {
		err = errors.New("no credential provider")
	}
	if err == nil {
		_, err = awsCfg.Credentials.Retrieve(ctx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: no AWS credentials, so nothing was checked: %v. Fix: give credentials of a role with "+
			"access-analyzer:CheckNoPublicAccess (AWS_PROFILE, the environment, or the workflow's OIDC role), or run with "+
			"--print DIR and check the documents by hand (docs/public-access.md)\n", name, err)
		return 1
	}
	client := accessanalyzer.NewFromConfig(awsCfg)
	for i := range policies {
		checkPolicy(ctx, client, &policies[i])
	}
	return report(stdout, stack, region, cfg.Config, policies)
}

// resourcePolicies are the plan's resource policies that Access Analyzer can check, in plan order.
func resourcePolicies(p *plan.Plan) []checkedPolicy {
	var out []checkedPolicy
	for _, pol := range p.Policies() {
		if t, ok := accessCheckTypes[pol.Type]; ok {
			out = append(out, checkedPolicy{Policy: pol, ResourceType: t})
		}
	}
	return out
}

func checkPolicy(ctx context.Context, client *accessanalyzer.Client, c *checkedPolicy) {
	out, err := client.CheckNoPublicAccess(ctx, &accessanalyzer.CheckNoPublicAccessInput{
		PolicyDocument: aws.String(c.Document),
		ResourceType:   c.ResourceType,
	})
	if err != nil {
		c.Err = explainCallError(err)
		return
	}
	c.Result, c.Message, c.Reasons = out.Result, aws.ToString(out.Message), out.Reasons
}

// explainCallError adds the fix to the errors a user can do something about.
func explainCallError(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException":
			return fmt.Errorf("%w. Fix: the role running the check needs access-analyzer:CheckNoPublicAccess (docs/public-access.md)", err)
		case "ThrottlingException":
			return fmt.Errorf("%w. Fix: run the check again in a minute", err)
		}
	}
	return err
}

// report prints a verdict per policy and, when one is public or unchecked, what to do; it returns the exit
// status. Only PASS passes: a result AWS adds later is treated as a failure, never as a pass.
func report(w io.Writer, stack, region string, cfg map[string]string, policies []checkedPolicy) int {
	fmt.Fprintf(w, "Stack %s: IAM Access Analyzer CheckNoPublicAccess in %s on %d resource policies as they would be sent:\n", stack, region, len(policies))
	var public, failed int
	for _, c := range policies {
		what := fmt.Sprintf("%s %s (%s)", c.Label, c.Resource, c.ResourceType)
		switch {
		case c.Err != nil:
			failed++
			fmt.Fprintf(w, "ERROR %s: %v\n", what, c.Err)
		case c.Result == aatypes.CheckNoPublicAccessResultPass:
			fmt.Fprintf(w, "PASS  %s: %s\n", what, c.Message)
		default:
			public++
			if c.Result != aatypes.CheckNoPublicAccessResultFail {
				what += fmt.Sprintf(", result %q", c.Result)
			}
			fmt.Fprintf(w, "FAIL  %s: %s\n", what, c.Message)
			for _, r := range c.Reasons {
				fmt.Fprintf(w, "        statement %s: %s\n", statementName(c.Document, r), aws.ToString(r.Description))
			}
		}
	}
	switch {
	case public > 0:
		fmt.Fprintf(w, "\n%d of %d policies may grant public access. Do not deploy this stack as it is.\n%s", public, len(policies), publicFix(stack, cfg, policies))
		return 1
	case failed > 0:
		fmt.Fprintf(w, "\n%d of %d policies could not be checked, so nothing is proven: fix the error above and run the check again.\n", failed, len(policies))
		return 1
	}
	fmt.Fprintf(w, "\nNo policy grants public access.\n")
	return 0
}

// statementName is a reason's statement as the user finds it in the plan: its index and Sid.
func statementName(doc string, r aatypes.ReasonSummary) string {
	sid := reasonSid(doc, r)
	switch {
	case r.StatementIndex != nil && sid != "":
		return fmt.Sprintf("%d (%s)", *r.StatementIndex, sid)
	case r.StatementIndex != nil:
		return fmt.Sprint(*r.StatementIndex)
	case sid != "":
		return sid
	}
	return "(not named)"
}

// reasonSid is the Sid of a reason's statement: the one AWS names, or the one at its index.
func reasonSid(doc string, r aatypes.ReasonSummary) string {
	if id := aws.ToString(r.StatementId); id != "" {
		return id
	}
	if r.StatementIndex == nil {
		return ""
	}
	i := int(*r.StatementIndex)
	if d, err := policy.Parse(doc); err == nil && i >= 0 && i < len(d.Statement) {
		return d.Statement[i].Sid
	}
	return ""
}

// sourceGrants are the archive's statements that grant to the source accounts, the only grants to "*".
var sourceGrants = []string{components.SidArchiveReplication, components.SidArchiveReplicationOrg,
	components.SidSourceRolesUseKey, components.SidSourceOrgRolesUseKey}

// publicFix says what to do the same day, for the archive's grants (R2.13); anything else public is a
// defect of this program.
func publicFix(stack string, cfg map[string]string, policies []checkedPolicy) string {
	file := "Pulumi." + stack + ".yaml"
	archiveGrant := false
	for _, c := range policies {
		if c.Result == "" || c.Result == aatypes.CheckNoPublicAccessResultPass {
			continue
		}
		for _, r := range c.Reasons {
			archiveGrant = archiveGrant || slices.Contains(sourceGrants, reasonSid(c.Document, r))
		}
		if len(c.Reasons) == 0 {
			archiveGrant = true // no reason given: the grant to the sources is the only grant to "*"
		}
	}
	isArchive := cfg[stackconfig.KeyStackKind] == string(stackconfig.KindDestination)
	noOrg := stackconfig.Declarations[stackconfig.KeySourceOrganization].ConfigValue()
	hasOrg := cfg[stackconfig.KeySourceOrganization] != "" && cfg[stackconfig.KeySourceOrganization] != noOrg
	mode := cfg[stackconfig.KeySourcePrincipals]
	switch {
	case !isArchive || !archiveGrant:
		return "This is a defect of log-archive, not of your configuration: its policies grant only to fixed principals or pinned AWS " +
			"services. Keep the stack as it is deployed today and report the output above (docs/public-access.md).\n"
	case hasOrg:
		return fmt.Sprintf("The organization's grant (\"*\" with aws:PrincipalOrgID) was judged public. Fix, in %s: list the source "+
			"accounts as fixed principals instead; remove log-archive:sourceOrganization and write\n\n"+
			"  log-archive:sourceAccountIds: [\"222222222222\", ...]   # every source account\n"+
			"  log-archive:sourcePrincipals: accountPrincipals\n\n"+
			"then run this check again. docs/public-access.md explains the trade-offs.\n", file)
	case mode == string(components.SourceAccountsAsPrincipals):
		return "The grants name fixed principals, which AWS documents as never public (R2.10), yet Access Analyzer objects. Do not " +
			"deploy; report the output above (docs/public-access.md).\n"
	}
	return fmt.Sprintf("The grant to \"*\" with aws:PrincipalAccount / kms:CallerAccount was judged public. S3 refuses a public bucket "+
		"policy (BlockPublicPolicy, 403), so the archive's `pulumi up` would fail. Fix, the same day, in %s, either:\n\n"+
		"  log-archive:sourcePrincipals: accountPrincipals\n\n"+
		"(each listed account's root as the principal: never public, but every listed account must exist and fewer fit: "+
		"`go run ./cmd/plan limits --stack %s`), or admit the accounts by their organization:\n\n"+
		"  log-archive:sourceOrganization:\n"+
		"    id: o-a1b2c3d4e5   # aws organizations describe-organization --query Organization.Id\n\n"+
		"then run this check again. docs/public-access.md explains both.\n", file, stack)
}

// printPolicies writes each document, as it would be sent, to dir and prints the command that checks it.
func printPolicies(w io.Writer, dir, region string, policies []checkedPolicy) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--print %s: %w", dir, err)
	}
	for _, c := range policies {
		path := filepath.Join(dir, c.Resource+".json")
		if err := os.WriteFile(path, []byte(c.Document), 0o644); err != nil {
			return fmt.Errorf("--print %s: %w", dir, err)
		}
		fmt.Fprintf(w, "aws accessanalyzer check-no-public-access --region %s --resource-type %s --policy-document file://%s\n",
			region, c.ResourceType, path)
	}
	return nil
}
