package backfill

import (
	"bytes"
	"context"
	"encoding/xml"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/awsfake"
)

const (
	account = "222222222222"
	batch   = "arn:aws:iam::222222222222:role/log-archive/log-archive-batch-replication"
)

func fake(t *testing.T) (*awsfake.Server, Options) {
	t.Helper()
	srv := awsfake.New()
	t.Cleanup(srv.Close)
	srv.Accounts["AKIASOURCE"] = account
	client := s3control.NewFromConfig(aws.Config{
		Region: "us-east-2", Credentials: credentials.NewStaticCredentialsProvider("AKIASOURCE", "secret", ""),
		HTTPClient: srv.HTTPClient(), BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
	})
	return srv, Options{Client: client, Timeout: 2 * time.Second, Poll: time.Millisecond}
}

func request() Request {
	return Request{AccountID: account, Bucket: "trail-logs", RoleArn: batch, Statuses: DefaultStatuses,
		ReportBucket: "acme-batch-reports", ReportPrefix: "log-archive-backfill", Priority: 10}
}

// The CreateJob request S3 Control received, read back from its XML.
type createJob struct {
	RoleArn              string
	Priority             int
	ConfirmationRequired bool
	Operation            struct {
		S3ReplicateObject *struct{} `xml:"S3ReplicateObject"`
	}
	ManifestGenerator struct {
		S3JobManifestGenerator struct {
			SourceBucket         string
			ExpectedBucketOwner  string
			EnableManifestOutput bool
			Filter               struct {
				EligibleForReplication    bool
				ObjectReplicationStatuses []string `xml:"ObjectReplicationStatuses>member"`
			}
		}
	}
	Manifest *struct{}
	Report   struct {
		Enabled     bool
		Bucket      string
		Prefix      string
		ReportScope string
	}
}

// H6, R4.12, R5.9: a generated manifest of the eligible objects never replicated or FAILED, the
// S3ReplicateObject operation, the batch role; progress followed to Complete.
func TestBackfillCreatesTheJobAndFollowsItToComplete(t *testing.T) {
	srv, opts := fake(t)
	srv.OnDescribe = func(j *Job) {
		j.Total = 500
		switch j.Describes {
		case 1:
			j.Status = "Preparing"
		case 2:
			j.Status, j.Succeeded = "Active", 200
		default:
			j.Status, j.Succeeded = "Complete", 500
		}
	}
	var progress bytes.Buffer
	opts.Progress = &progress
	res, err := Run(context.Background(), opts, request())
	require.NoError(t, err)
	assert.Equal(t, &Result{JobID: "job-1", Status: "Complete", Total: 500, Succeeded: 500,
		Report: "s3://acme-batch-reports/log-archive-backfill/job-job-1/", OK: true}, res)
	assert.Contains(t, progress.String(), "job job-1: Active, 200 of 500 tasks done: 200 succeeded, 0 failed")
	assert.Contains(t, progress.String(), "job job-1: Complete, 500 of 500 tasks done")

	job := srv.Jobs["job-1"]
	assert.Equal(t, account, job.Account)
	var got createJob
	require.NoError(t, xml.Unmarshal([]byte(job.RequestXML), &got))
	assert.Equal(t, batch, got.RoleArn)
	assert.False(t, got.ConfirmationRequired)
	assert.NotNil(t, got.Operation.S3ReplicateObject)
	assert.Nil(t, got.Manifest, "the manifest is generated, not supplied")
	g := got.ManifestGenerator.S3JobManifestGenerator
	assert.Equal(t, "arn:aws:s3:::trail-logs", g.SourceBucket)
	assert.Equal(t, account, g.ExpectedBucketOwner)
	assert.False(t, g.EnableManifestOutput)
	assert.True(t, g.Filter.EligibleForReplication)
	assert.Equal(t, []string{"NONE", "FAILED"}, g.Filter.ObjectReplicationStatuses)
	assert.True(t, got.Report.Enabled)
	assert.Equal(t, "arn:aws:s3:::acme-batch-reports", got.Report.Bucket)
	assert.Equal(t, "AllTasks", got.Report.ReportScope)
}

// Job = awsfake.Job, named here for the hooks' signatures.
type Job = awsfake.Job

func TestBackfillWithoutAReportDisablesIt(t *testing.T) {
	srv, opts := fake(t)
	srv.OnDescribe = func(j *Job) { j.Status = "Complete" }
	r := request()
	r.ReportBucket = ""
	res, err := Run(context.Background(), opts, r)
	require.NoError(t, err)
	assert.Empty(t, res.Report)
	var got createJob
	require.NoError(t, xml.Unmarshal([]byte(srv.Jobs["job-1"].RequestXML), &got))
	assert.False(t, got.Report.Enabled)
}

func TestBackfillReportsAFailedJobWithItsReasons(t *testing.T) {
	srv, opts := fake(t)
	srv.OnDescribe = func(j *Job) {
		j.Status, j.Total, j.Failed = "Failed", 10, 10
		j.FailureCode, j.FailureText = "AccessDenied", "Batch Operations could not assume the role"
	}
	res, err := Run(context.Background(), opts, request())
	require.NoError(t, err)
	assert.False(t, res.OK)
	assert.Equal(t, "Failed", res.Status)
	assert.Equal(t, []string{"AccessDenied: Batch Operations could not assume the role"}, res.FailureReasons)
}

// A job that completes with failed tasks is not OK: some objects are still not in the archive.
func TestBackfillWithFailedTasksIsNotOK(t *testing.T) {
	srv, opts := fake(t)
	srv.OnDescribe = func(j *Job) { j.Status, j.Total, j.Succeeded, j.Failed = "Complete", 10, 8, 2 }
	res, err := Run(context.Background(), opts, request())
	require.NoError(t, err)
	assert.False(t, res.OK)
}

func TestBackfillStopsFollowingAtTheTimeout(t *testing.T) {
	srv, opts := fake(t)
	srv.OnDescribe = func(j *Job) { j.Status = "Active" }
	opts.Timeout = 20 * time.Millisecond
	res, err := Run(context.Background(), opts, request())
	require.NoError(t, err)
	assert.True(t, res.TimedOut)
	assert.False(t, res.OK)
	assert.Greater(t, srv.Jobs["job-1"].Describes, 1)
}

func TestBackfillRefusedSaysWhatTheCallerNeeds(t *testing.T) {
	srv, opts := fake(t)
	srv.Deny = func(op, _, _, _ string) bool { return op == "CreateJob" }
	_, err := Run(context.Background(), opts, request())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AccessDenied")
	assert.Contains(t, err.Error(), "iam:PassRole")
}
