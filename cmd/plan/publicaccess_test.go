package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// analyzerStandIn is IAM Access Analyzer's CheckNoPublicAccess on loopback, as API_CheckNoPublicAccess.html
// describes it: POST /policy/check-no-public-access with {policyDocument, resourceType}, answering
// {result, message, reasons} or an error named by the X-Amzn-ErrorType header.
type analyzerStandIn struct {
	srv *httptest.Server
	// answer gives the status and body for a resource type.
	answer func(resourceType string) (int, string, map[string]any)

	mu       sync.Mutex
	requests []analyzerRequest
}

type analyzerRequest struct {
	Method, Path, Authorization string
	PolicyDocument              string `json:"policyDocument"`
	ResourceType                string `json:"resourceType"`
}

func pass(string) (int, string, map[string]any) {
	return 200, "", map[string]any{"result": "PASS", "message": "The resource policy does not grant public access for the given resource type."}
}

func newAnalyzer(t *testing.T, answer func(string) (int, string, map[string]any)) *analyzerStandIn {
	a := &analyzerStandIn{answer: answer}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := analyzerRequest{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization")}
		if err := json.Unmarshal(body, &req); err != nil {
			w.WriteHeader(400)
			return
		}
		a.mu.Lock()
		a.requests = append(a.requests, req)
		a.mu.Unlock()
		status, errType, out := a.answer(req.ResourceType)
		w.Header().Set("Content-Type", "application/json")
		if errType != "" {
			w.Header().Set("X-Amzn-ErrorType", errType)
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// config is the loader the command is given: static credentials, the stand-in as the endpoint.
func (a *analyzerStandIn) config(_ context.Context, region string) (aws.Config, error) {
	return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient: a.srv.Client(), BaseEndpoint: aws.String(a.srv.URL), RetryMaxAttempts: 1}, nil
}

func (a *analyzerStandIn) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := checkPublicAccess(context.Background(), args, &out, &errOut, a.config)
	return code, out.String(), errOut.String()
}

// planned is the document the plan sends for the resource typ/name.
func planned(t *testing.T, dir, stack, typ, name string) string {
	t.Helper()
	p, err := plan.PlanStack(dir, stack, program.Program)
	require.NoError(t, err)
	for _, pol := range p.Policies() {
		if pol.Type == typ && pol.Resource == name {
			return pol.Document
		}
	}
	t.Fatalf("no %s %s in the plan of %s", typ, name, stack)
	return ""
}

// The exact requests: each archive policy as sent, with its resource type, signed for the stack's Region.
func TestCheckPublicAccess_ArchivePoliciesPass(t *testing.T) {
	a := newAnalyzer(t, pass)
	code, out, errOut := a.run(t, "--dir", root, "--stack", "destination")
	require.Equal(t, 0, code, out+errOut)

	bucketPolicy := planned(t, root, "destination", "aws:s3/bucketPolicy:BucketPolicy", "archive-policy")
	keyPolicy := planned(t, root, "destination", "aws:kms/key:Key", "archive-key")
	d, err := policy.Parse(bucketPolicy)
	require.NoError(t, err)
	grant, ok := d.StatementBySid(components.SidArchiveReplication)
	require.True(t, ok)
	require.True(t, grant.Principal.Everyone, "the fixture archive is in the default mode, the one in question (R2.13)")

	require.Len(t, a.requests, 2)
	got := map[string]string{}
	for _, r := range a.requests {
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, "/policy/check-no-public-access", r.Path)
		assert.Contains(t, r.Authorization, "/eu-west-1/access-analyzer/aws4_request", "signed for the stack's Region")
		got[r.ResourceType] = r.PolicyDocument
	}
	assert.Equal(t, map[string]string{"AWS::S3::Bucket": bucketPolicy, "AWS::KMS::Key": keyPolicy}, got)

	assert.Contains(t, out, "Stack destination: IAM Access Analyzer CheckNoPublicAccess in eu-west-1 on 2 resource policies")
	assert.Contains(t, out, "PASS  S3 bucket policy archive-policy (AWS::S3::Bucket): The resource policy does not grant public access")
	assert.Contains(t, out, "PASS  KMS key policy archive-key (AWS::KMS::Key): ")
	assert.Contains(t, out, "No policy grants public access.")
}

// Each way the check can end: only two PASS verdicts exit 0.
func TestCheckPublicAccess_ExitPaths(t *testing.T) {
	failBucket := func(typ string) (int, string, map[string]any) {
		if typ != "AWS::S3::Bucket" {
			return pass(typ)
		}
		return 200, "", map[string]any{"result": "FAIL", "message": "The resource policy grants public access for the given resource type.",
			"reasons": []map[string]any{{"description": "Public access granted in the following statement with index: 0.", "statementIndex": 0}}}
	}
	tests := []struct {
		name     string
		answer   func(string) (int, string, map[string]any)
		wantCode int
		want     []string
	}{
		{"both pass", pass, 0, []string{"PASS  S3 bucket policy", "PASS  KMS key policy", "No policy grants public access."}},
		{"bucket policy public", failBucket, 1, []string{
			"FAIL  S3 bucket policy archive-policy (AWS::S3::Bucket): The resource policy grants public access",
			"statement 0 (" + components.SidArchiveReplication + "): Public access granted in the following statement with index: 0.",
			"PASS  KMS key policy archive-key",
			"1 of 2 policies may grant public access. Do not deploy this stack as it is.",
			"S3 refuses a public bucket policy (BlockPublicPolicy, 403)",
			"in Pulumi.destination.yaml", "  log-archive:sourcePrincipals: accountPrincipals\n",
			"  log-archive:sourceOrganization:\n    id: o-a1b2c3d4e5", "docs/public-access.md"}},
		{"access denied", func(string) (int, string, map[string]any) {
			return 403, "AccessDeniedException", map[string]any{"message": "User is not authorized to perform: access-analyzer:CheckNoPublicAccess"}
		}, 1, []string{"ERROR S3 bucket policy archive-policy", "AccessDeniedException",
			"Fix: the role running the check needs access-analyzer:CheckNoPublicAccess (docs/public-access.md)",
			"2 of 2 policies could not be checked, so nothing is proven"}},
		{"throttled", func(string) (int, string, map[string]any) {
			return 429, "ThrottlingException", map[string]any{"message": "Rate exceeded"}
		}, 1, []string{"ThrottlingException", "Fix: run the check again in a minute"}},
		{"server error", func(string) (int, string, map[string]any) {
			return 500, "InternalServerException", map[string]any{"message": "Internal server error"}
		}, 1, []string{"ERROR KMS key policy archive-key", "InternalServerException", "could not be checked"}},
		{"a result AWS adds later is no pass", func(string) (int, string, map[string]any) {
			return 200, "", map[string]any{"result": "UNKNOWN", "message": "?"}
		}, 1, []string{`FAIL  S3 bucket policy archive-policy (AWS::S3::Bucket), result "UNKNOWN": ?`, "2 of 2 policies may grant public access"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAnalyzer(t, tt.answer)
			code, out, errOut := a.run(t, "--dir", root, "--stack", "destination")
			assert.Equal(t, tt.wantCode, code, out+errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			assert.Len(t, a.requests, 2, "both policies are checked, whatever the first answer")
		})
	}
}

// What to do depends on how the stack admits its sources (R2.13, docs/public-access.md).
func TestCheckPublicAccess_FixFollowsTheStack(t *testing.T) {
	failAll := func(string) (int, string, map[string]any) {
		return 200, "", map[string]any{"result": "FAIL", "message": "public"}
	}
	tests := []struct {
		name, stack, extra string
		want               []string
		notWant            string
	}{
		{"default", "destination", "", []string{"log-archive:sourcePrincipals: accountPrincipals", "sourceOrganization"}, ""},
		{"fallback already", "destination", "  log-archive:sourcePrincipals: accountPrincipals\n",
			[]string{"which AWS documents as never public (R2.10), yet Access Analyzer objects. Do not deploy"}, "log-archive:sourceOrganization:"},
		{"organization", "destination", "  log-archive:sourceOrganization: {id: o-a1b2c3d4e5}\n",
			[]string{"The organization's grant", "remove log-archive:sourceOrganization", "log-archive:sourcePrincipals: accountPrincipals"}, ""},
		{"source stack", "source", "", []string{"This is a defect of log-archive, not of your configuration"}, "log-archive:sourcePrincipals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := testfixture.Project(t)
			file := filepath.Join(dir, "Pulumi."+tt.stack+".yaml")
			b, err := os.ReadFile(file)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, []byte(strings.TrimRight(string(b), "\n")+"\n"+tt.extra), 0o644))

			a := newAnalyzer(t, failAll)
			code, out, errOut := a.run(t, "--dir", dir, "--stack", tt.stack)
			assert.Equal(t, 1, code, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			if tt.notWant != "" {
				assert.NotContains(t, out, tt.notWant)
			}
		})
	}
}

// A source stack grants no other account anything; its log buckets' bucket and key policies and its topic
// policy, which grant to AWS service principals, are checked too, each with its own resource type.
func TestCheckPublicAccess_SourceStackChecksItsServiceGrants(t *testing.T) {
	a := newAnalyzer(t, pass)
	code, out, errOut := a.run(t, "--dir", root, "--stack", "source")
	require.Equal(t, 0, code, out+errOut)
	got := map[string]string{}
	for _, r := range a.requests {
		got[r.PolicyDocument] = r.ResourceType
	}
	assert.Equal(t, map[string]string{
		planned(t, root, "source", "aws:s3/bucketPolicy:BucketPolicy", "source-acme-workload-a-logs-eu-west-1-policy"): "AWS::S3::Bucket",
		planned(t, root, "source", "aws:kms/key:Key", "source-acme-workload-a-logs-eu-west-1-key"):                     "AWS::KMS::Key",
		planned(t, root, "source", "aws:sns/topicPolicy:TopicPolicy", "source-alarms-topic-policy"):                    "AWS::SNS::Topic",
	}, got)
	assert.Len(t, a.requests, 3, "no trust or identity policy is sent")
}

// --print writes the documents exactly as they would be sent and calls nothing.
func TestCheckPublicAccess_PrintWritesTheDocuments(t *testing.T) {
	a := newAnalyzer(t, pass)
	outDir := filepath.Join(t.TempDir(), "policies")
	code, out, errOut := a.run(t, "--dir", root, "--stack", "destination", "--print", outDir)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, a.requests)
	for file, doc := range map[string]string{
		"archive-policy.json": planned(t, root, "destination", "aws:s3/bucketPolicy:BucketPolicy", "archive-policy"),
		"archive-key.json":    planned(t, root, "destination", "aws:kms/key:Key", "archive-key"),
	} {
		b, err := os.ReadFile(filepath.Join(outDir, file))
		require.NoError(t, err)
		assert.Equal(t, doc, string(b))
	}
	assert.Equal(t,
		"aws accessanalyzer check-no-public-access --region eu-west-1 --resource-type AWS::KMS::Key --policy-document file://"+filepath.Join(outDir, "archive-key.json")+"\n"+
			"aws accessanalyzer check-no-public-access --region eu-west-1 --resource-type AWS::S3::Bucket --policy-document file://"+filepath.Join(outDir, "archive-policy.json")+"\n",
		out)
}

// Nothing is sent when the stack does not plan, the credentials are missing or the command line is wrong.
func TestCheckPublicAccess_NothingSent(t *testing.T) {
	bad := testfixture.Project(t)
	file := filepath.Join(bad, "Pulumi.destination.yaml")
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(b), `"333333333333"`, `"33333333333"`, 1)), 0o644))

	tests := []struct {
		name     string
		args     []string
		noCreds  bool
		wantCode int
		want     string // in stdout and stderr
	}{
		{"no stack", []string{"--dir", root}, false, 2, "give --stack NAME"},
		{"unknown stack", []string{"--dir", root, "--stack", "nope"}, false, 2, `no stack "nope"`},
		{"unknown flag", []string{"--dir", root, "--stack", "destination", "--bogus"}, false, 2, "flag provided but not defined: -bogus"},
		{"extra argument", []string{"--dir", root, "--stack", "destination", "now"}, false, 2, `unexpected argument "now"`},
		{"help", []string{"--help"}, false, 0, "plan check-public-access --stack NAME [--dir DIR]"},
		{"missing project", []string{"--dir", filepath.Join(root, "nowhere"), "--stack", "destination"}, false, 1, "no such directory"},
		{"stack does not plan", []string{"--dir", bad, "--stack", "destination"}, false, 1,
			`stack destination does not plan, so there is nothing to check: the stack configuration has 1 problem; nothing was created:
  - Pulumi.destination.yaml: log-archive:sourceAccountIds[1] = "33333333333"`},
		{"no credentials", []string{"--dir", root, "--stack", "destination"}, true, 1,
			"no AWS credentials, so nothing was checked: no profile. Fix: give credentials of a role with access-analyzer:CheckNoPublicAccess"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAnalyzer(t, pass)
			load := a.config
			if tt.noCreds {
				load = func(ctx context.Context, region string) (aws.Config, error) {
					cfg, _ := a.config(ctx, region)
					cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
						return aws.Credentials{}, errors.New("no profile")
					})
					return cfg, nil
				}
			}
			var out, errOut bytes.Buffer
			code := checkPublicAccess(context.Background(), tt.args, &out, &errOut, load)
			assert.Equal(t, tt.wantCode, code, out.String()+errOut.String())
			assert.Contains(t, out.String()+errOut.String(), tt.want)
			assert.Empty(t, a.requests)
		})
	}
}

// The subcommand is registered with plan's dispatcher and usage.
func TestRun_CheckPublicAccessIsASubcommand(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"check-public-access", "--help"}, &out, &errOut))
	assert.Contains(t, out.String(), "CheckNoPublicAccess")
	out.Reset()
	require.Equal(t, 0, run([]string{"--help"}, &out, &errOut))
	assert.Contains(t, out.String(), "plan check-public-access --stack NAME")
	assert.Equal(t, 2, run([]string{"check-public-access"}, &out, &errOut))
}

// docs/public-access.md is what the README links for the check: its fix lines are the command's, and its
// figures are plan limits' for the example archive.
func TestPublicAccessDoc_MatchesTheCode(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testfixture.Root(), "docs", "public-access.md"))
	require.NoError(t, err)
	doc := strings.Join(strings.Fields(string(b)), " ") // as read, whatever the line breaks
	limit, err := plan.MaxListedAccounts(root, "destination", program.Program)
	require.NoError(t, err)
	require.Len(t, limit.Modes, 2)
	assert.Contains(t, doc, fmt.Sprintf("with the example's names %d listed accounts fit the bucket policy's 20 KB, against %s in the default mode",
		limit.Modes[1].MaxListed, thousands(limit.Modes[0].MaxListed)))
	assert.Contains(t, doc, fmt.Sprintf("Each costs %d bytes against %d", limit.Modes[1].BytesPerAccount, limit.Modes[0].BytesPerAccount))
	for _, line := range []string{
		"```yaml log-archive:sourcePrincipals: accountPrincipals ```",
		`"Action": "access-analyzer:CheckNoPublicAccess"`,
		"go run ./cmd/plan check-public-access --stack destination --print policies",
		components.SidArchiveReplication, components.SidSourceRolesUseKey,
		components.SidArchiveReplicationOrg, components.SidSourceOrgRolesUseKey,
	} {
		assert.Contains(t, doc, line)
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
