def fit():
    return "fitted"


def check(limit, data):
    print("checked", limit, data)
