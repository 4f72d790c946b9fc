package cliflagstest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValueNameProblems(t *testing.T) {
	good := "Usage:\n  x [flags]\n\nFlags:\n  -dir DIR\n    \tthe DIR (default \".\")\n  -json\n    \tprint JSON\n  -prefix BUCKET=PREFIX\n    \ta prefix\n  -repo OWNER/REPO\n    \tthe repository\n"
	assert.Empty(t, ValueNameProblems(good))
	bad := "Usage:\n  x [flags]\n\nFlags:\n  -outputs-dir pulumi stack output --json\n    \tread\n  -op preview\n    \tpreview or up\n  -timeout duration\n    \thow long\n  -more TEXT\n    \tthe `TEXT`\n"
	problems := ValueNameProblems(bad)
	assert.Len(t, problems, 4)
	assert.Contains(t, problems[0], "-outputs-dir pulumi stack output --json")
	assert.Contains(t, problems[1], "-op preview")
	assert.Contains(t, problems[2], "-timeout duration")
	assert.Contains(t, problems[3], "a backquote")
}
