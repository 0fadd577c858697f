#!/bin/sh
# check nginx server status (the seed's track script, unchanged but for
# paths: NGINX and the keepalived init script are taken from the environment
# when set, so the namespace demo can point them at its own copies)
NGINX=${NGINX:-/usr/sbin/nginx}
PORT=${PORT:-80}
KEEPALIVED_STOP=${KEEPALIVED_STOP:-"/etc/init.d/keepalived stop"}

nmap localhost -p $PORT | grep "$PORT/tcp open"
#echo $?
if [ $? -ne 0 ];then
    $NGINX -s stop
    $NGINX
    sleep 3
    nmap localhost -p $PORT | grep "$PORT/tcp open"
    [ $? -ne 0 ] && $KEEPALIVED_STOP
fi
