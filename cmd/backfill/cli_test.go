package main

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"log-archive/internal/cliflags/cliflagstest"
)

// The conventions of internal/cliflags, for backfill.
func TestCLI_HelpUsageErrorsAndExitCodes(t *testing.T) {
	runBackfill := func(args []string, stdout, stderr io.Writer) int {
		noAWS := func(context.Context, string, string) (aws.Config, error) {
			t.Fatalf("%v: reached AWS", args)
			return aws.Config{}, nil
		}
		return run(context.Background(), args, stdout, stderr, noAWS)
	}
	cliflagstest.Run(t, runBackfill, []cliflagstest.Case{
		{Name: "help", Args: []string{"--help"}, Code: 0, Stdout: []string{"backfill --bucket BUCKET", "-role-arn ARN"}},
		{Name: "h", Args: []string{"-h"}, Code: 0, Stdout: []string{"s3:InitiateReplication"}},
		{Name: "help says the exit status", Args: []string{"--help"}, Code: 0, Stdout: []string{"\nExit status: 0 when the job completed with no failed task", "was still running at --timeout", "2 for a\nusage error"}},

		{Name: "no flags", Args: nil, Code: 2, Stderr: []string{"backfill: --bucket is required\nUsage:\n  backfill --bucket BUCKET", "backfill --help lists every flag"}},
		{Name: "unknown flag", Args: []string{"--nope"}, Code: 2, Stderr: []string{"backfill: flag provided but not defined: -nope"}},
		{Name: "stray argument", Args: []string{"--bucket", "trail-logs", "extra"}, Code: 2, Stderr: []string{`backfill: unexpected argument "extra"`}},
		{Name: "no role", Args: []string{"--bucket", "trail-logs"}, Code: 2, Stderr: []string{"backfill: --role-arn is required"}},

		{Name: "missing outputs file", Args: []string{"--bucket", "trail-logs", "--source-outputs", "no-such.json"}, Code: 1, Stderr: []string{"backfill: open no-such.json"}},
	})
}
