def validate(data):
    return data
