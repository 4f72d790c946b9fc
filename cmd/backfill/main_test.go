package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
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
		if region == "" {
			region = "us-east-2" // the profile's
		}
		return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", ""),
			HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}, nil
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, load)
	return code, stdout.String(), stderr.String()
}

func TestHelpNamesTheRoleTrustAndPermissions(t *testing.T) {
	code, stdout, _ := runBackfill(t, nil, "", "--help")
	assert.Equal(t, 0, code)
	for _, want := range []string{`"Service": "batchoperations.s3.amazonaws.com"`, "s3:InitiateReplication", "s3:PutInventoryConfiguration",
		"iam:PassRole", "s3:CreateJob", "s3:DescribeJob", "H6", "-report-bucket", "-role-arn"} {
		assert.Contains(t, stdout, want)
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
	for _, f := range []string{"--bucket", "--source-stack", "--source-outputs", "--cwd", "--role-arn", "--account-id", "--profile",
		"--region", "--report-bucket", "--report-prefix", "--statuses", "--priority", "--timeout", "--poll", "--json", "backfillRoleArn", "bucketRegions"} {
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
		{"--bucket", "trail-logs", "--role-arn", batchRole, "--region", "Frankfurt"},
		{"--bucket", "trail-logs", "--source-stack", "workload-a", "--source-outputs", "workload-a.json"},
		{"--role-arn", batchRole, "--source-stack", "workload-a"},
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

// With the source stack's outputs, the role is its backfillRoleArn and the job runs in the bucket's
// Region from bucketRegions (a stack's buckets may be in several); flags override both.
func TestBackfillTakesTheRoleAndRegionFromTheSourceOutputs(t *testing.T) {
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts["AKIASOURCE"], srv.Accounts["AKIAOTHER"] = "222222222222", "333333333333"
	srv.OnDescribe = func(j *awsfake.Job) { j.Status, j.Total, j.Succeeded = "Complete", 3, 3 }
	outputs := map[string]any{
		"replicationRoleArn": "arn:aws:iam::222222222222:role/log-archive/log-archive-replication",
		"backfillRoleArn":    batchRole,
		"replicatedBuckets":  []string{"trail-logs", "eu-app-logs"},
		"bucketRegions":      map[string]string{"trail-logs": "us-east-2", "eu-app-logs": "eu-central-1"},
		"archiveBucketName":  "acme-log-archive",
		"archiveKeyArn":      "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555",
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		data, err := json.Marshal(v)
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		return path
	}
	out := write("workload-a.json", outputs)
	job := func(n int) *awsfake.Job { return srv.Jobs[fmt.Sprintf("job-%d", n)] }
	role := func(j *awsfake.Job) string {
		var req struct{ RoleArn string }
		require.NoError(t, xml.Unmarshal([]byte(j.RequestXML), &req))
		return req.RoleArn
	}

	code, stdout, stderr := runBackfill(t, srv, "AKIASOURCE", "--source-outputs", out, "--bucket", "eu-app-logs", "--poll", "1ms")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "job job-1: Complete")
	assert.Equal(t, "eu-central-1", job(1).Region, "the job runs in the bucket's Region, not the profile's")
	assert.Equal(t, batchRole, role(job(1)))
	assert.Equal(t, "222222222222", job(1).Account)
	assert.Contains(t, stderr, "s3://eu-app-logs is in eu-central-1 (the source stack's bucketRegions)")
	assert.Contains(t, stderr, "the job runs as "+batchRole+" (the source stack's backfillRoleArn)")

	// Flags override the outputs; a --region other than the bucket's is warned about.
	other := "arn:aws:iam::222222222222:role/other-batch"
	code, _, stderr = runBackfill(t, srv, "AKIASOURCE", "--source-outputs", out, "--bucket", "eu-app-logs",
		"--role-arn", other, "--region", "us-east-2", "--poll", "1ms")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "us-east-2", job(2).Region)
	assert.Equal(t, other, role(job(2)))
	assert.Contains(t, stderr, "warning: --region us-east-2, but the source stack's bucketRegions puts s3://eu-app-logs in eu-central-1")

	// A bucket the stack does not replicate is a usage error.
	code, _, stderr = runBackfill(t, srv, "AKIASOURCE", "--source-outputs", out, "--bucket", "someone-elses-logs")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "the source stack replicates only trail-logs, eu-app-logs")

	// Credentials for another account than the stack's stop the run before CreateJob.
	code, _, stderr = runBackfill(t, srv, "AKIAOTHER", "--source-outputs", out, "--bucket", "trail-logs")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "are for account 333333333333, but the source stack is in account 222222222222")
	code, _, stderr = runBackfill(t, srv, "AKIASOURCE", "--source-outputs", out, "--bucket", "trail-logs", "--account-id", "333333333333")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--account-id 333333333333: the source stack is in account 222222222222")
	assert.Len(t, srv.Jobs, 2)

	// Outputs older than backfillRoleArn and bucketRegions: --role-arn is needed, the Region is the profile's.
	delete(outputs, "backfillRoleArn")
	delete(outputs, "bucketRegions")
	old := write("old.json", outputs)
	code, _, stderr = runBackfill(t, srv, "AKIASOURCE", "--source-outputs", old, "--bucket", "trail-logs")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "have no backfillRoleArn")
	code, _, stderr = runBackfill(t, srv, "AKIASOURCE", "--source-outputs", old, "--bucket", "trail-logs", "--role-arn", batchRole, "--poll", "1ms")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "us-east-2", job(3).Region)
}
