package awsid

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded copy is the one of the SDK version go.mod pins: run `go generate ./internal/awsid`
// after upgrading github.com/aws/aws-sdk-go-v2.
func TestPartitionsJSON_IsTheSDKVersionsCopy(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sdk, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sdk, partitionsJSON) {
		t.Fatal("internal/awsid/partitions.json differs from the AWS SDK's; run `go generate ./internal/awsid`")
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct{ region, partition, suffix string }{
		{"eu-west-1", "aws", "amazonaws.com"},
		{"me-central-1", "aws", "amazonaws.com"},
		{"ap-southeast-7", "aws", "amazonaws.com"},
		{"cn-northwest-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
		{"us-iso-east-1", "aws-iso", "c2s.ic.gov"},
	} {
		p, ok := Lookup(tc.region)
		if !ok || p.ID != tc.partition || p.DNSSuffix != tc.suffix {
			t.Errorf("Lookup(%q) = %+v, %v; want partition %s, suffix %s", tc.region, p, ok, tc.partition, tc.suffix)
		}
	}
	for _, region := range []string{"eu-west-9", "us-east-7", "aws-global", "eu-westl-1", "mars-north-1", ""} {
		if p, ok := Lookup(region); ok {
			t.Errorf("Lookup(%q) = %+v; no such Region", region, p)
		}
	}
}
