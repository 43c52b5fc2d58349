import sys

print("job", sys.argv[1:])
