package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
	"log-archive/internal/testfixture"
)

func runVerify(t *testing.T, d deps, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, d)
	return code, stdout.String(), stderr.String()
}

func TestHelpListsThePermissionsAndExitsZero(t *testing.T) {
	code, _, stderr := runVerify(t, defaultDeps(), "--help")
	assert.Equal(t, 0, code)
	for _, want := range []string{"s3:PutObject, s3:GetObject, s3:GetObjectVersion  on arn:aws:s3:::B/Plog-archive-canary/*",
		"kms:Decrypt", "s3:GetObjectRetention", "s3:Replication:OperationFailedReplication", "never overwrites or deletes",
		"-source-profile", "-archive-outputs", "-timeout", "-json"} {
		assert.Contains(t, stderr, want)
	}
}

// docs/verify.md is what the README links for verify; its permission list is --help's, line for line.
func TestDocsAgreeWithHelp(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testfixture.Root(), "docs", "verify.md"))
	require.NoError(t, err)
	_, perms, _ := strings.Cut(usageText, "Permissions it needs:\n")
	perms, _, _ = strings.Cut(perms, "\n\n")
	for _, line := range strings.Split(perms, "\n") {
		assert.True(t, strings.Contains(string(doc), strings.TrimRight(line, " ")), "docs/verify.md lacks --help's line %q", line)
	}
	for _, flagName := range []string{"--source-outputs", "--source-stack", "--archive-outputs", "--archive-stack", "--cwd",
		"--source-profile", "--archive-profile", "--source-region", "--prefix", "--bucket", "--timeout", "--poll", "--json", "--explain"} {
		help := flagsOf(t)
		assert.True(t, strings.Contains(help, "\n  "+flagName[1:]+" ") || strings.Contains(help, "\n  "+flagName[1:]+"\n"),
			"--help does not list %s", flagName)
		assert.True(t, strings.Contains(string(doc), flagName), "docs/verify.md does not mention %s", flagName)
	}
}

func flagsOf(t *testing.T) string {
	_, _, stderr := runVerify(t, defaultDeps(), "--help")
	return stderr
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--source-outputs", "a.json"},
		{"--source-outputs", "a.json", "--source-stack", "x", "--archive-stack", "y"},
		{"--source-stack", "x", "--archive-stack", "y", "--timeout", "0s"},
		{"--source-stack", "x", "--archive-stack", "y", "--prefix", "no-equals-sign"},
		{"--explain", "NotAReason"},
		{"extra"},
	} {
		code, _, stderr := runVerify(t, defaultDeps(), args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
	}
}

func TestExplain(t *testing.T) {
	code, stdout, _ := runVerify(t, defaultDeps(), "--explain", "DstPutObjectNotPermitted")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "log-archive:sourceAccountIds")
	assert.Contains(t, stdout, "R2.4")
}

const (
	archiveKey = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
	roleArn    = "arn:aws:iam::222222222222:role/log-archive/log-archive-replication"
)

// fakeRun is the whole command against the fake S3/STS: outputs from files, profiles mapped to keys.
func fakeRun(t *testing.T, replicaKey string, extra ...string) (int, string, string) {
	t.Helper()
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts["AKIASOURCE"], srv.Accounts["AKIAARCHIVE"] = "222222222222", "111111111111"
	src := srv.AddBucket("trail-logs")
	src.DefaultSSE, src.DefaultKeyID = "aws:kms", "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-2222-3333-4444-555555555555"
	src.ReplicationXML = fmt.Sprintf(`<ReplicationConfiguration><Role>%s</Role><Rule><ID>log-archive-acme-log-archive</ID>`+
		`<Status>Enabled</Status><Filter><Prefix>AWSLogs/</Prefix></Filter><SourceSelectionCriteria><SseKmsEncryptedObjects>`+
		`<Status>Enabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria><Destination><Bucket>arn:aws:s3:::acme-log-archive</Bucket>`+
		`<EncryptionConfiguration><ReplicaKmsKeyID>%s</ReplicaKmsKeyID></EncryptionConfiguration></Destination></Rule></ReplicationConfiguration>`,
		roleArn, archiveKey)
	srv.AddBucket("acme-log-archive")
	srv.OnPut = func(s *awsfake.Server, bucket, key string, o *awsfake.Object) {
		if bucket == "trail-logs" {
			o.ReplicationStatus = "PENDING"
		}
	}
	srv.OnHead = func(s *awsfake.Server, bucket, key string, o *awsfake.Object) {
		if bucket == "trail-logs" && o.ReplicationStatus == "PENDING" {
			o.ReplicationStatus = "COMPLETED"
			s.Buckets["acme-log-archive"].Objects[key] = &awsfake.Object{Body: o.Body, VersionID: o.VersionID, SSE: "aws:kms",
				KMSKeyID: replicaKey, ReplicationStatus: "REPLICA"}
		}
	}
	dir := t.TempDir()
	write := func(name string, v any) string {
		data, err := json.Marshal(v)
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, data, 0o600))
		return path
	}
	srcOut := write("source.json", map[string]any{"replicationRoleArn": roleArn, "replicatedBuckets": []string{"trail-logs"},
		"archiveBucketName": "acme-log-archive", "archiveKeyArn": archiveKey, "logBuckets": map[string]any{}})
	dstOut := write("archive.json", map[string]any{"archiveAccountId": "111111111111", "archiveRegion": "eu-west-1",
		"archiveBucketName": "acme-log-archive", "archiveKeyArn": archiveKey, "archiveObjectLockEnabled": false})
	d := deps{
		s3Options: []func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }},
		loadConfig: func(_ context.Context, profile, region string) (aws.Config, error) {
			if region == "" {
				region = "us-east-2"
			}
			akid := map[string]string{"workload-a": "AKIASOURCE", "log-archive": "AKIAARCHIVE"}[profile]
			if akid == "" {
				akid = "AKIAUNKNOWN" // a profile whose key AWS does not know
			}
			return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(akid, "secret", ""),
				HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1}, nil
		},
	}
	args := append([]string{"--source-outputs", srcOut, "--archive-outputs", dstOut, "--source-profile", "workload-a",
		"--archive-profile", "log-archive", "--poll", time.Millisecond.String(), "--timeout", "2s"}, extra...)
	return runVerify(t, d, args...)
}

func TestVerifyAgainstTheFakeSucceeds(t *testing.T) {
	code, stdout, stderr := fakeRun(t, archiveKey)
	t.Log(stdout)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "source s3://trail-logs: ok")
	assert.Contains(t, stdout, "1 of 1 buckets replicate correctly.")
	assert.Contains(t, stderr, "waiting for replication")
}

func TestVerifyAgainstTheFakeFailsOnAWrongKeyWithJSON(t *testing.T) {
	code, stdout, _ := fakeRun(t, "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-2222-3333-4444-555555555555", "--json")
	assert.Equal(t, 1, code)
	var report struct {
		OK      bool `json:"ok"`
		Buckets []struct {
			Checks []struct{ Name, Status string } `json:"checks"`
		} `json:"buckets"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &report))
	assert.False(t, report.OK)
	assert.Contains(t, report.Buckets[0].Checks, struct{ Name, Status string }{"replica key", "FAIL"})
}

func TestVerifyWithBadCredentialsExitsOneWithAClearMessage(t *testing.T) {
	code, _, stderr := fakeRun(t, archiveKey, "--source-profile", "nobody")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `the source account's credentials (profile "nobody") do not work: InvalidClientTokenId`)
}
