// Package backfill starts S3 Batch Replication for a source bucket: objects written before its
// replication rule existed never replicate by themselves (R4.12), and a FAILED object is never retried
// (R5.9). The job runs as a role trusted by batchoperations.s3.amazonaws.com (H6); S3 then copies each
// object with the replication rule's own role.
package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"
)

// Request is one backfill.
type Request struct {
	AccountID    string   // the source account, which owns the bucket and runs the job
	Bucket       string   // the source bucket
	Partition    string   // "aws" unless in China or GovCloud
	RoleArn      string   // the Batch Operations role (H6)
	Statuses     []string // replication statuses to (re)replicate: NONE (never tried), FAILED (R5.9)
	ReportBucket string   // completion report bucket; "" for no report
	ReportPrefix string
	Priority     int32
}

// DefaultStatuses are what needs replicating: objects that predate the rule and objects that failed.
var DefaultStatuses = []string{"NONE", "FAILED"}

// Options are how Run talks to S3 Control and reports progress.
type Options struct {
	Client   *s3control.Client
	Timeout  time.Duration // how long to follow the job; it runs on in AWS after that
	Poll     time.Duration
	Progress io.Writer
	Now      func() time.Time
}

// Result is the job as last seen.
type Result struct {
	JobID          string   `json:"jobId"`
	Status         string   `json:"status"`
	Total          int64    `json:"totalTasks"`
	Succeeded      int64    `json:"succeededTasks"`
	Failed         int64    `json:"failedTasks"`
	FailureReasons []string `json:"failureReasons,omitempty"`
	Report         string   `json:"report,omitempty"` // where the completion report is, s3://bucket/prefix/job-<id>/
	TimedOut       bool     `json:"timedOut"`
	OK             bool     `json:"ok"`
}

// CreateJobInput is the S3 Control request: a manifest S3 generates from the bucket itself (only
// objects eligible for replication, in the given statuses), and the S3ReplicateObject operation.
func CreateJobInput(r Request) *s3control.CreateJobInput {
	statuses := make([]types.ReplicationStatus, 0, len(r.Statuses))
	for _, s := range r.Statuses {
		statuses = append(statuses, types.ReplicationStatus(s))
	}
	partition := r.Partition
	if partition == "" {
		partition = "aws"
	}
	bucketArn := func(b string) *string { return aws.String(fmt.Sprintf("arn:%s:s3:::%s", partition, b)) }
	report := &types.JobReport{Enabled: false}
	if r.ReportBucket != "" {
		report = &types.JobReport{
			Enabled: true, Bucket: bucketArn(r.ReportBucket), Prefix: aws.String(r.ReportPrefix),
			Format: types.JobReportFormatReportCsv20180820, ReportScope: types.JobReportScopeAllTasks,
			ExpectedBucketOwner: aws.String(r.AccountID),
		}
	}
	return &s3control.CreateJobInput{
		AccountId:            aws.String(r.AccountID),
		ConfirmationRequired: aws.Bool(false), // start at once: the user asked for it by running backfill
		Description:          aws.String("log-archive backfill of s3://" + r.Bucket),
		Operation:            &types.JobOperation{S3ReplicateObject: &types.S3ReplicateObjectOperation{}},
		ManifestGenerator: &types.JobManifestGeneratorMemberS3JobManifestGenerator{Value: types.S3JobManifestGenerator{
			SourceBucket:         bucketArn(r.Bucket),
			ExpectedBucketOwner:  aws.String(r.AccountID),
			EnableManifestOutput: false, // the report lists every object; no manifest bucket to grant
			Filter: &types.JobManifestGeneratorFilter{
				EligibleForReplication:    aws.Bool(true),
				ObjectReplicationStatuses: statuses,
			},
		}},
		Priority: aws.Int32(r.Priority),
		Report:   report,
		RoleArn:  aws.String(r.RoleArn),
	}
}

// Run creates the job and follows it until it completes, fails or the timeout runs out.
func Run(ctx context.Context, o Options, r Request) (*Result, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	out, err := o.Client.CreateJob(ctx, CreateJobInput(r))
	if err != nil {
		return nil, fmt.Errorf("creating the Batch Replication job: %s%s", describe(err), createHint(err))
	}
	res := &Result{JobID: aws.ToString(out.JobId)}
	if r.ReportBucket != "" {
		res.Report = fmt.Sprintf("s3://%s/%s", r.ReportBucket, strings.TrimPrefix(strings.TrimSuffix(r.ReportPrefix, "/")+"/job-"+res.JobID+"/", "/"))
	}
	start := o.Now()
	for {
		job, err := o.Client.DescribeJob(ctx, &s3control.DescribeJobInput{AccountId: aws.String(r.AccountID), JobId: out.JobId})
		if err != nil {
			return res, fmt.Errorf("reading job %s: %s (the job goes on in AWS; the caller needs s3:DescribeJob)", res.JobID, describe(err))
		}
		d := job.Job
		res.Status = string(d.Status)
		if p := d.ProgressSummary; p != nil {
			res.Total, res.Succeeded, res.Failed = aws.ToInt64(p.TotalNumberOfTasks), aws.ToInt64(p.NumberOfTasksSucceeded), aws.ToInt64(p.NumberOfTasksFailed)
		}
		res.FailureReasons = nil
		for _, f := range d.FailureReasons {
			res.FailureReasons = append(res.FailureReasons, strings.TrimSpace(aws.ToString(f.FailureCode)+": "+aws.ToString(f.FailureReason)))
		}
		waited := o.Now().Sub(start)
		done := finished(d.Status)
		if o.Progress != nil {
			end := ""
			if done {
				end = "\n"
			}
			fmt.Fprintf(o.Progress, "\rjob %s: %s, %d of %d tasks done: %d succeeded, %d failed (%s)\033[K%s",
				res.JobID, res.Status, res.Succeeded+res.Failed, res.Total, res.Succeeded, res.Failed, waited.Round(time.Second), end)
		}
		if done {
			res.OK = d.Status == types.JobStatusComplete && res.Failed == 0
			return res, nil
		}
		remaining := o.Timeout - waited
		if remaining <= 0 {
			if o.Progress != nil {
				fmt.Fprintln(o.Progress)
			}
			res.TimedOut = true
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(min(o.Poll, remaining)):
		}
	}
}

func finished(s types.JobStatus) bool {
	switch s {
	case types.JobStatusComplete, types.JobStatusFailed, types.JobStatusCancelled:
		return true
	}
	return false
}

func describe(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}

// createHint says what a refused CreateJob most often means.
func createHint(err error) string {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return ""
	}
	switch api.ErrorCode() {
	case "AccessDenied", "AccessDeniedException":
		return ". The caller needs s3:CreateJob and iam:PassRole on the --role-arn role (see --help)"
	case "InvalidAccessKeyId", "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken":
		return ". The credentials do not work: refresh them (e.g. `aws sso login`) or name another --profile"
	case "InvalidRequest", "BadRequestException":
		return ". Check that the bucket has a replication configuration and that --role-arn is trusted by batchoperations.s3.amazonaws.com (H6)"
	}
	return ""
}
