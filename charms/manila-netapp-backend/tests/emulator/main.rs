//! The real `manila-netapp-backend` binary beside the generic back end on the real `manila`
//! charm in the model emulator, with the keystone, mysql and rabbitmq-server fixtures.
