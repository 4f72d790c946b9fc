package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
	"log-archive/internal/testfixture"
)

const batchRole = "arn:aws:iam::222222222222:role/log-archive-batch-replication"

func runBackfill(t *testing.T, srv *awsfake.Server, akid string, args ...string) (int, string, string) {
	t.Helper()
	load := func(_ context.Context, profile, region string) (aws.Config, error) {
		if srv == nil {
			return aws.Config{}, nil
		}
		return aws.Config{Region: "us-east-2", Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", ""),
			HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}, nil
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, load)
	return code, stdout.String(), stderr.String()
}

func TestHelpNamesTheRoleTrustAndPermissions(t *testing.T) {
	code, _, stderr := runBackfill(t, nil, "", "--help")
	assert.Equal(t, 0, code)
	for _, want := range []string{`"Service": "batchoperations.s3.amazonaws.com"`, "s3:InitiateReplication", "s3:PutInventoryConfiguration",
		"iam:PassRole", "s3:CreateJob", "s3:DescribeJob", "H6", "-report-bucket", "-role-arn"} {
		assert.Contains(t, stderr, want)
	}
}

// docs/verify.md's backfill section lists the role's and the caller's permissions as --help does.
func TestDocsAgreeWithHelp(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testfixture.Root(), "docs", "verify.md"))
	require.NoError(t, err)
	_, perms, _ := strings.Cut(usageText, "The role (--role-arn)")
	perms, _, _ = strings.Cut(perms, "It needs nothing")
	_, caller, _ := strings.Cut(usageText, "The caller's permissions")
	caller, _, _ = strings.Cut(caller, "\n\n")
	for _, line := range strings.Split(perms+caller, "\n") {
		if strings.HasPrefix(line, "  ") {
			assert.True(t, strings.Contains(string(doc), strings.TrimRight(line, " ")), "docs/verify.md lacks backfill --help's line %q", line)
		}
	}
	for _, f := range []string{"--bucket", "--role-arn", "--account-id", "--profile", "--region", "--report-bucket", "--report-prefix",
		"--statuses", "--priority", "--timeout", "--poll", "--json"} {
		assert.True(t, strings.Contains(string(doc), f), "docs/verify.md does not mention %s", f)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--bucket", "trail-logs"},
		{"--bucket", "trail-logs", "--role-arn", "log-archive-batch"},
		{"--bucket", "Not_A_Bucket", "--role-arn", batchRole},
		{"--bucket", "trail-logs", "--role-arn", batchRole, "--statuses", "NONE,PENDING"},
	} {
		code, _, stderr := runBackfill(t, nil, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}

func TestBackfillAgainstTheFake(t *testing.T) {
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts["AKIASOURCE"] = "222222222222"
	srv.OnDescribe = func(j *awsfake.Job) { j.Status, j.Total, j.Succeeded = "Complete", 3, 3 }
	code, stdout, stderr := runBackfill(t, srv, "AKIASOURCE", "--bucket", "trail-logs", "--role-arn", batchRole,
		"--report-bucket", "acme-batch-reports", "--poll", "1ms")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "job job-1: Complete; 3 tasks: 3 succeeded, 0 failed")
	assert.Contains(t, stdout, "completion report: s3://acme-batch-reports/log-archive-backfill/job-job-1/")
	assert.Equal(t, "222222222222", srv.Jobs["job-1"].Account, "the account comes from sts:GetCallerIdentity")

	srv.OnDescribe = func(j *awsfake.Job) { j.Status, j.Total, j.Succeeded, j.Failed = "Complete", 3, 1, 2 }
	code, stdout, _ = runBackfill(t, srv, "AKIASOURCE", "--bucket", "trail-logs", "--role-arn", batchRole, "--poll", "1ms")
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "--explain")

	code, _, stderr = runBackfill(t, srv, "AKIAUNKNOWN", "--bucket", "trail-logs", "--role-arn", batchRole)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "the credentials do not work")
	assert.Contains(t, stderr, "InvalidClientTokenId")
}
