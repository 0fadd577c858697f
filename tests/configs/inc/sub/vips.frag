    virtual_ipaddress {
        192.0.2.46
        192.0.2.47
    }
